public import JWTKit

/// The claims the server reads (docs/api.md, "Identity") and the development issuer writes.
/// `exp` is required; a claim of the wrong type (a `sub` that is not a string, `roles` that is not
/// an array of strings) makes the token malformed.
public struct TokenClaims: JWTPayload, Sendable {
    /// The role that makes a token's bearer the admin.
    public static let adminRole = "booking-admin"

    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    public var iat: IssuedAtClaim?
    public var iss: IssuerClaim?
    public var aud: AudienceClaim?
    public var sub: SubjectClaim?
    public var roles: [String]?

    public init(
        exp: ExpirationClaim, nbf: NotBeforeClaim? = nil, iat: IssuedAtClaim? = nil, iss: IssuerClaim? = nil,
        aud: AudienceClaim? = nil, sub: SubjectClaim? = nil, roles: [String]? = nil
    ) {
        (self.exp, self.nbf, self.iat, self.iss, self.aud, self.sub, self.roles) = (exp, nbf, iat, iss, aud, sub, roles)
    }

    /// The claims are checked by the server's authenticator, which knows the configuration.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}
