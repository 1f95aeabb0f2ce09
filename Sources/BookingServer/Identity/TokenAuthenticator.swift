import BookingAPI
import BookingCore
import Foundation
import JWTKit
import Logging

/// The token mode: every user-scoped request carries a JWT, verified by jwt-kit against the
/// configured keys (docs/api.md, "Identity"). Which key may verify a token is decided here, from
/// the token's header, before jwt-kit checks the signature: jwt-kit verifies with whichever key
/// the `kid` names (or its default) and with that key's algorithm whatever the header says, so
/// without this choice an `HS512` header would pass as HS256 and a token with an unknown `kid`
/// would be tried against the default key.
struct TokenAuthenticator: Authenticator {
    /// One configured key: its algorithm, its `kid` (keys from PEM files and the secret have
    /// none), and a collection that holds it alone.
    struct Key: Sendable {
        let algorithm: String
        let kid: String?
        let collection: JWTKeyCollection
    }

    let keys: [Key]
    let adminToken: AdminToken?
    let issuer: String?
    let audience: String?
    /// How far `exp`, `nbf` and `iat` may be off: the clocks of issuer and server differ.
    var leeway: TimeInterval = 30
    /// The time tokens are judged at (tests pass their own).
    var now: @Sendable () -> Date = { Date() }
    /// Why a token was refused, at debug level: the client only hears `invalid_token`.
    var logger = Logger(label: "identity")

    static let adminRole = "booking-admin"

    func caller(bearer: String?) async throws(AuthenticationFailure) -> Caller {
        guard let bearer else { throw .missing }
        if let adminToken, adminToken.matches(bearer) { return .verified(subject: nil, isAdmin: true) }
        let claims: TokenClaims
        do {
            claims = try await verify(bearer)
        } catch {
            logger.debug("token refused", metadata: ["reason": "\(error)"])
            throw .invalid
        }
        do {
            return try caller(from: claims)
        } catch {
            logger.debug("token refused", metadata: ["reason": "\(error)"])
            throw .invalid
        }
    }

    /// The signature, by a key of the header's algorithm (and `kid`, when both name one).
    private func verify(_ token: String) async throws -> TokenClaims {
        let header = try DefaultJWTParser().parse(Array(token.utf8), as: TokenClaims.self).header
        guard let algorithm = header.alg else { throw Refusal.noAlgorithm }
        let candidates = keys.filter { key in
            key.algorithm == algorithm && (key.kid == nil || header.kid == nil || Self.same(key.kid, header.kid))
        }
        guard !candidates.isEmpty else { throw Refusal.noKeyFor(algorithm: algorithm, kid: header.kid) }
        var lastError: any Error = Refusal.noKeyFor(algorithm: algorithm, kid: header.kid)
        for key in candidates {
            do {
                return try await key.collection.verify(token, as: TokenClaims.self)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// The registered claims as the configuration wants them, and the subject's `user_id` rules.
    /// Texts are compared by their bytes, as the user ids are.
    private func caller(from claims: TokenClaims) throws(Refusal) -> Caller {
        let now = now()
        do {
            try claims.exp.verifyNotExpired(currentDate: now.addingTimeInterval(-leeway))
            try claims.nbf?.verifyNotBefore(currentDate: now.addingTimeInterval(leeway))
        } catch {
            throw .claim("exp or nbf: \(error)")
        }
        if let issuedAt = claims.iat?.value, issuedAt > now.addingTimeInterval(leeway) { throw .claim("iat ahead") }
        if let issuer, !Self.same(claims.iss?.value, issuer) { throw .claim("iss") }
        if let audience, !(claims.aud?.value.contains { Self.same($0, audience) } ?? false) { throw .claim("aud") }
        let isAdmin = claims.roles?.contains { Self.same($0, Self.adminRole) } ?? false
        guard let subject = claims.sub?.value else {
            // Only an admin's token may name no user.
            guard isAdmin else { throw .claim("sub missing") }
            return .verified(subject: nil, isAdmin: true)
        }
        guard (try? Validate.userID(subject)) != nil else { throw .claim("sub breaks the user_id rules") }
        return .verified(subject: subject, isAdmin: isAdmin)
    }

    private static func same(_ lhs: String?, _ rhs: String?) -> Bool {
        guard let lhs, let rhs else { return lhs == nil && rhs == nil }
        return lhs.utf8.elementsEqual(rhs.utf8)
    }

    /// Why a token was refused, for the debug log.
    enum Refusal: Error {
        case noAlgorithm
        case noKeyFor(algorithm: String, kid: String?)
        case claim(String)
    }
}

/// The claims the server reads (and `BookingServer token` writes). `exp` is required; a claim of
/// the wrong type (a `sub` that is not a string, `roles` that is not an array of strings) makes
/// the token malformed.
struct TokenClaims: JWTPayload {
    var exp: ExpirationClaim
    var nbf: NotBeforeClaim?
    var iat: IssuedAtClaim?
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var sub: SubjectClaim?
    var roles: [String]?

    /// The claims are checked by ``TokenAuthenticator``, which knows the configuration.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
