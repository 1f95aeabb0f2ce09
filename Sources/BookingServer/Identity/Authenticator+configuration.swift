import BookingCore
import Logging

/// The identity mode the configuration asks for: the token mode when a JWT key is set, else the
/// trusting mode, which says at start-up what it trusts.
func makeAuthenticator(configuration: ServerConfiguration, logger: Logger) async throws -> any Authenticator {
    let adminToken = AdminToken(configuration.adminToken)
    guard configuration.isTokenMode else {
        logger.warning("""
            trusting mode: no AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEYS is set, so every request is \
            taken to be the user its user_id names; run it only behind a gateway that authenticates users
            """)
        return TrustingAuthenticator(adminToken: adminToken)
    }
    let keys = try await JWTKeys.load(secret: configuration.authJWTSecret, publicKeysFile: configuration.authJWTPublicKeysFile)
    logger.info("token mode", metadata: [
        "keys": "\(keys.map { $0.kid.map { "\($0)" } ?? "-" })", "algorithms": "\(Set(keys.map(\.algorithm)).sorted())",
    ])
    return TokenAuthenticator(
        keys: keys, adminToken: adminToken, issuer: configuration.authJWTIssuer, audience: configuration.authJWTAudience
    )
}
