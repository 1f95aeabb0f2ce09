import BookingCore
import Hummingbird

/// `Authorization: Bearer <credentials>` (the scheme in any case); nil for no header, another
/// scheme, or more than one `Authorization` field.
enum BearerCredentials {
    static func of(_ request: Request) -> String? {
        // Read field by field, without the joined copy of every such field that
        // `headers[.authorization]` makes. Two fields name no credentials: neither is taken.
        var value: String?
        for field in request.headers where field.name == .authorization {
            guard value == nil else { return nil }
            value = field.value
        }
        return value.flatMap(of(header:))
    }

    /// The credentials of one `Authorization` value: read over its bytes, without the copies
    /// that splitting and lowercasing it made (every request of the token mode has one).
    static func of(header: String) -> String? {
        let bytes = header.utf8
        var start = bytes.startIndex
        while start != bytes.endIndex, bytes[start] == UInt8(ascii: " ") { bytes.formIndex(after: &start) }
        var scheme = start
        for expected in "bearer".utf8 {
            guard scheme != bytes.endIndex, bytes[scheme] | 0x20 == expected else { return nil }
            bytes.formIndex(after: &scheme)
        }
        guard scheme != bytes.endIndex, bytes[scheme] == UInt8(ascii: " ") else { return nil }
        var credentials = scheme
        while credentials != bytes.endIndex, bytes[credentials] == UInt8(ascii: " ") || bytes[credentials] == UInt8(ascii: "\t") {
            bytes.formIndex(after: &credentials)
        }
        return credentials == bytes.endIndex ? nil : String(header[credentials...])
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

    /// A token of another length is told apart at once (the length is no secret worth keeping,
    /// and every user's token is one): only one of the same length is compared, in full.
    func matches(_ credentials: String) -> Bool {
        guard credentials.utf8.count == bytes.count else { return false }
        return zip(credentials.utf8, bytes).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
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
