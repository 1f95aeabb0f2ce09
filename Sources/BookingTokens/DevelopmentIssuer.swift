public import Foundation
import JWTKit

/// Issues HS256 tokens with the server's `AUTH_JWT_SECRET`, as an identity provider would: for
/// `BookingServer token` (development) and for BookingBench's users (load tests). Signing is
/// jwt-kit's.
public struct DevelopmentIssuer: Sendable {
    private let keys: JWTKeyCollection
    public let issuer: String?
    public let audience: String?

    /// `secret` as the server takes it (its length is the server's to check).
    public init(secret: String, issuer: String? = nil, audience: String? = nil) async {
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.issuer = issuer
        self.audience = audience
    }

    /// A token for `subject` (nil: an admin token that names no user), valid from `now` for `lifetime`.
    public func token(subject: String?, admin: Bool = false, lifetime: TimeInterval, now: Date = Date()) async throws -> String {
        try await keys.sign(TokenClaims(
            exp: ExpirationClaim(value: now.addingTimeInterval(lifetime)),
            iat: IssuedAtClaim(value: now),
            iss: issuer.map(IssuerClaim.init(value:)),
            aud: audience.map { AudienceClaim(value: [$0]) },
            sub: subject.map(SubjectClaim.init(value:)),
            roles: admin ? [TokenClaims.adminRole] : nil
        ))
    }
}
