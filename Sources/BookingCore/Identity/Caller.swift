/// Who makes a request, as the server's identity mode establishes it (docs/api.md, "Identity").
/// The rules of whose bookings a caller may touch are here, so that every route and every
/// instance applies them alike.
public enum Caller: Sendable, Equatable {
    /// The trusting mode: a gateway in front has authenticated the user, so the `user_id` a
    /// request names is the user. `isAdmin`: the request carries `ADMIN_TOKEN`.
    case trusted(isAdmin: Bool)
    /// The token mode: the verified token's subject (nil for an admin's token without one), and
    /// whether the token is an admin's (`ADMIN_TOKEN`, or the `booking-admin` role).
    case verified(subject: String?, isAdmin: Bool)

    public var isAdmin: Bool {
        switch self {
        case .trusted(let isAdmin), .verified(_, let isAdmin): isAdmin
        }
    }

    /// The user that a reserve or a cancel acts for. Trusting: the `user_id` the request names,
    /// which it must name. Token: the subject; a `user_id` the request names must be it, byte for
    /// byte, and an admin's token without a subject books and cancels for nobody.
    public func user(named claimed: String?) throws(ReservationError) -> String {
        switch self {
        case .trusted:
            guard let claimed else { throw .userRequired }
            return claimed
        case .verified(let subject, _):
            guard let subject else { throw .forbidden }
            if let claimed, !claimed.utf8.elementsEqual(subject.utf8) { throw .forbidden }
            return subject
        }
    }

    /// Whether this caller may read `userID`'s bookings: anyone in the trusting mode; in the
    /// token mode the user themselves and the admin.
    public func mayRead(bookingsOf userID: String) -> Bool {
        switch self {
        case .trusted: true
        case .verified(let subject, let isAdmin): isAdmin || subject.map { $0.utf8.elementsEqual(userID.utf8) } ?? false
        }
    }

    /// Creating events is the admin's.
    public func requireAdmin() throws(AuthenticationFailure) {
        guard isAdmin else { throw .notAdmin }
    }
}

/// Why a request's credentials make no caller. Each is a `401 UNAUTHORIZED`.
public enum AuthenticationFailure: Error, Sendable, Equatable {
    /// The token mode needs a bearer token and the request has none.
    case missing
    /// A token that is malformed, badly signed, expired, not yet valid or meant for others.
    case invalid
    /// The request needs the admin and the caller is not.
    case notAdmin
}

/// Turns a request's bearer credentials into its ``Caller``: the trusting mode's adapter
/// compares them with `ADMIN_TOKEN`; the token mode's verifies a JWT.
public protocol Authenticator: Sendable {
    /// `bearer`: the credentials of `Authorization: Bearer …`, nil when the request has none.
    func caller(bearer: String?) async throws(AuthenticationFailure) -> Caller
}
