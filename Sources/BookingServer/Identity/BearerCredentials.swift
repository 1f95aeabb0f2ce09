import BookingCore
import Hummingbird

/// `Authorization: Bearer <credentials>` (the scheme in any case); nil for no header or another
/// scheme.
enum BearerCredentials {
    static func of(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let credentials = parts[1].drop { $0 == " " || $0 == "\t" }
        return credentials.isEmpty ? nil : String(credentials)
    }
}

/// `ADMIN_TOKEN`, compared in constant time so that the comparison's duration says nothing of
/// how much of a guess was right.
struct AdminToken: Sendable {
    private let bytes: [UInt8]

    /// Nil when no admin token is configured: nobody is the admin by token.
    init?(_ token: String?) {
        guard let token, !token.isEmpty else { return nil }
        bytes = Array(token.utf8)
    }

    func matches(_ credentials: String) -> Bool {
        let given = Array(credentials.utf8)
        guard given.count == bytes.count else { return false }
        return zip(given, bytes).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The trusting mode (no JWT key configured): the `user_id` a request names is the user, and
/// the bearer of `ADMIN_TOKEN` is the admin.
struct TrustingAuthenticator: Authenticator {
    let adminToken: AdminToken?

    func caller(bearer: String?) async throws(AuthenticationFailure) -> Caller {
        .trusted(isAdmin: bearer.map { adminToken?.matches($0) ?? false } ?? false)
    }
}
