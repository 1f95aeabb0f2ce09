import BookingAPI
import BookingCore
import BookingTokens
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

    static let adminRole = TokenClaims.adminRole

    /// Tokens whose signature has been verified, with their claims: a client sends one token
    /// with many requests, and verifying it again (two JSON documents decoded, twice, and an HMAC
    /// or a signature check) was most of what the token mode cost. A hit skips the signature only:
    /// the claims are judged again at every request, by the same rules, at that request's time.
    /// Only tokens of at most `cachedTokenBytes` are kept, so the cache holds at most
    /// `2 × verifiedTokenGeneration × cachedTokenBytes` bytes of tokens.
    let verifiedTokens = TwoGenerationCache<String, VerifiedClaims>(generation: Self.verifiedTokenGeneration)
    /// The `alg` and `kid` of each distinct header segment: an issuer signs every token with the
    /// same few headers.
    let headers = TwoGenerationCache<String, HeaderFields>(generation: 32)

    static let verifiedTokenGeneration = 25_000
    static let cachedTokenBytes = 2048

    /// A verified token's claims, shared by reference: a hit hands out one reference, not a copy
    /// of every claim.
    final class VerifiedClaims: Sendable {
        let claims: TokenClaims

        init(_ claims: TokenClaims) {
            self.claims = claims
        }
    }

    struct HeaderFields: Sendable {
        let algorithm: String?
        let kid: String?
    }

    func caller(bearer: String?) async throws(AuthenticationFailure) -> Caller {
        guard let bearer else { throw .missing }
        if let adminToken, adminToken.matches(bearer) { return .verified(subject: nil, isAdmin: true) }
        let verified: VerifiedClaims
        let known = verifiedTokens.value(for: bearer)
        do {
            if let known { verified = known } else { verified = VerifiedClaims(try await verify(bearer)) }
        } catch {
            logger.debug("token refused", metadata: ["reason": "\(error)"])
            throw .invalid
        }
        let caller: Caller
        do {
            caller = try self.caller(from: verified.claims)
        } catch {
            logger.debug("token refused", metadata: ["reason": "\(error)"])
            throw .invalid
        }
        // Kept once the claims passed too: an expired token is not worth the room.
        if known == nil, bearer.utf8.count <= Self.cachedTokenBytes { verifiedTokens.insert(verified, for: bearer) }
        return caller
    }

    /// The signature, by a key of the header's algorithm (and `kid`, when both name one).
    private func verify(_ token: String) async throws -> TokenClaims {
        let header = try headerFields(of: token)
        guard let algorithm = header.algorithm else { throw Refusal.noAlgorithm }
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

    /// The header's `alg` and `kid`, decoded by jwt-kit the first time a header segment is seen.
    private func headerFields(of token: String) throws -> HeaderFields {
        let segment = String(token.utf8.prefix { $0 != UInt8(ascii: ".") }) ?? token
        if let known = headers.value(for: segment) { return known }
        let header = try JWTKeys.parser.parse(Array(token.utf8), as: TokenClaims.self).header
        let fields = HeaderFields(algorithm: header.alg, kid: header.kid)
        headers.insert(fields, for: segment)
        return fields
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
