import BookingCore
import Foundation
import JWTKit

@testable import BookingServer

/// Keys and tokens for the token mode's tests, signed here with jwt-kit as an issuer would.
enum TestTokens {
    // 64 bytes or more: jwt-kit asserts that an HMAC key is as long as its digest, and the tests
    // sign HS384 and HS512 tokens with it too.
    static let secret = "the-token-mode-tests-hs256-secret-long-enough-for-hs512-digests-too"
    static let issuer = "https://issuer.test"
    static let audience = "booking-api"

    /// An RSA key made once with `openssl genrsa 2048` for these tests (a fixture, not a secret).
    static let rsaPrivatePEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC4kZeUDX+QJcvt
        BmtuqXHI55E0zE3lTR+mQuwb6NTlYOaKfXx0FahkVpO3StkyfgxPSN1qrJIMs8EL
        CUrJFUB3yMhzb96VUUtNS5AfMyIhyVYnOvYKUSukzFZ7LJJGaTcUyvjgKHre/7q/
        enPxQVBJODljt7QII9QOJvo1DIIzpFGQts6E1uggUHiuKMvv1nskpvHqC9D2Be3d
        hiVwZGKa/PGmOnABhy4oce5dLX12XFDY7I4lshL/vcEAwf7w3MSo9sobomBEiy46
        n4aigm1Y7DgV9MaHkYNNp95G1xCdskFuLd/glgEzRUxV52z2d1sFQhiUXPeqcyfp
        ue1YjmlpAgMBAAECggEAKOIvNl9rE04cBuv2HjQwfTU2SAC9fH6B9T07uc7wYcL+
        Lk0vpTMq8tbur5pH1FRxe5qDWV7Slze2GjC7vSEU/7OdG1z7bA3u5TdIvHCCLgPA
        Lr5zw8NJLJ8KxQwRdsFVryhqypSM6xqwjjuctSMnmqB2re0CVw9AqMXfhKK5sKBj
        C5SJZP1Px7LI9MIbEae4QaougToZR6GuDaDAhqlPJVogPMnWSVK2dYLSj5V0HHZ6
        uHfmxSss2bRo/1dBJfcTZr+Z+TBdJaK1xaDBPHSJi2HGT68cipgHmqWPsTeXiZJK
        /Xy5uAmEUzG3stNK6Sok3FgnvYxU7fvSuX0oVFhhVQKBgQD76TjK6G4Mc35H2efc
        0gbweguKyACuAavdiWoiVyhnE2TsCX1CsFYqcw20ll6K0SrsiOQb2gEG+xQA/0Zq
        YqrS5AGfIks3rv1CrpAIKC4g1qFpLcCe3b27OZdwhjyJcT7HmHYzHcIZSTfuvFdU
        kNktIEU4BWfbG+oy9FX4jT0SSwKBgQC7kIocoAMg9foD+Zo4dmj/pZvXOnBiiBgm
        zp6lT587npEZSzsjj/zojCg215QbXWR5ytinHBjX4AgZjuOrCRqE8zH+gOQR43vW
        aj7zbRb71SIqhx5NQ+zRrWAl91qN7L2Z+AEDWcHcBB2Ayeq0vICJBV1NFhtjOvOr
        GYsSn3dCmwKBgQDgnMQB0BsHyRbo8/eUYkTDuN5/wPMyM9VNdBAJTJN+zMEo4REq
        HFbIBMxMn+LufbB7NVfHKavO0KK2fOcJRq6v2ZNEk+xjWwkAoutUCpeOujEzuhLM
        1EQvIxvPvjFOD4Z9q4iA7WC68RkJKi/n/DtYzDRLzi4bJRm+kzPwqeaxXwKBgF3X
        ShJaSFZ0WrskZXF8ZLoLDHZZaaMSfirkU2FX/c3hXq0uA4+eWaWrge82WoZ6amu4
        /j5Vg2R2VPcck3GeI2ODHW88417D1tCG5an62XXzw51Nbu6vXkvll2ZHZEn/uTjQ
        aQlZHfHLKUunOkNk0FY9ldmchuVVuFXReNA/cnajAoGAJiuc1PFJYWmVX+2+7+xM
        I+wBQ8kC2PUk4CdRaOn2WQAaWV99fw+oJ9jELDgsaJ8hnyE/4+WIk3J4we/NXYWF
        D7Q1dpTDImAIQt60wHZ/CPNwVPsJ65kt7S+MWt0pJAol9KNg8CQpsHKBUcQGGN7F
        gMlggO7M1kSkN1+mykIGMl4=
        -----END PRIVATE KEY-----
        """

    struct Keys: Sendable {
        let rsa: Insecure.RSA.PrivateKey
        let ec1: ES256PrivateKey
        let ec2: ES256PrivateKey
        let ed: EdDSA.PrivateKey
        /// The AUTH_JWT_PUBLIC_KEYS file of PEM public keys (RSA and the first EC key).
        let pemFile: String
        /// A JWKS file with the two EC keys by `kid` (`ec-1`, `ec-2`) and the Ed25519 one (`ed-1`).
        let jwksFile: String
    }

    /// Keys made once per test process.
    static let keys: Keys = {
        let rsa = try! Insecure.RSA.PrivateKey(pem: rsaPrivatePEM)
        let ec1 = ES256PrivateKey()
        let ec2 = ES256PrivateKey()
        let ed = try! EdDSA.PrivateKey(curve: .ed25519)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("booking-token-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pem = folder.appendingPathComponent("keys.pem").path
        try! (rsa.publicKey.pemRepresentation + "\n" + ec1.publicKey.pemRepresentation + "\n")
            .write(toFile: pem, atomically: true, encoding: .utf8)
        func ecJWK(_ key: ES256PrivateKey, _ kid: String) -> String {
            let parameters = key.publicKey.parameters!
            return #"{"kty":"EC","crv":"P-256","alg":"ES256","kid":"\#(kid)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
        }
        let edX = ed.publicKey.rawRepresentation.base64URLEncoded
        let jwks = #"{"keys":[\#(ecJWK(ec1, "ec-1")),\#(ecJWK(ec2, "ec-2")),{"kty":"OKP","crv":"Ed25519","kid":"ed-1","x":"\#(edX)"}]}"#
        let jwksPath = folder.appendingPathComponent("keys.jwks").path
        try! jwks.write(toFile: jwksPath, atomically: true, encoding: .utf8)
        return Keys(rsa: rsa, ec1: ec1, ec2: ec2, ed: ed, pemFile: pem, jwksFile: jwksPath)
    }()

    /// The server's authenticator over the real loading code: the secret, or a key file.
    static func authenticator(
        secret: String? = secret, publicKeysFile: String? = nil, issuer: String? = nil, audience: String? = nil
    ) async throws -> TokenAuthenticator {
        TokenAuthenticator(
            keys: try await JWTKeys.load(secret: secret, publicKeysFile: publicKeysFile),
            adminToken: AdminToken(TestEnvironment.adminToken), issuer: issuer, audience: audience
        )
    }

    /// The claims an issuer writes; any may be left out or replaced.
    struct Claims: JWTPayload {
        var exp: ExpirationClaim?
        var nbf: NotBeforeClaim?
        var iat: IssuedAtClaim?
        var iss: IssuerClaim?
        var aud: AudienceClaim?
        var sub: SubjectClaim?
        var roles: [String]?

        init(
            sub: String?, expiresIn: TimeInterval? = 300, notBeforeIn: TimeInterval? = nil, issuedIn: TimeInterval? = nil,
            iss: String? = nil, aud: [String]? = nil, roles: [String]? = nil
        ) {
            self.sub = sub.map(SubjectClaim.init(value:))
            exp = expiresIn.map { ExpirationClaim(value: Date().addingTimeInterval($0)) }
            nbf = notBeforeIn.map { NotBeforeClaim(value: Date().addingTimeInterval($0)) }
            iat = issuedIn.map { IssuedAtClaim(value: Date().addingTimeInterval($0)) }
            self.iss = iss.map(IssuerClaim.init(value:))
            self.aud = aud.map(AudienceClaim.init(value:))
            self.roles = roles
        }

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A `sub` that is a number, not a string.
    struct NumericSubject: JWTPayload {
        var exp = ExpirationClaim(value: Date().addingTimeInterval(300))
        var sub = 42
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Signed with HMAC and `digest`; `headerAlgorithm` writes another `alg` into the header than
    /// the one used (jwt-kit keeps a header's `alg` and verifies by the key's own algorithm).
    static func hs256(
        _ claims: some JWTPayload, secret: String = secret, digest: DigestAlgorithm = .sha256, headerAlgorithm: String? = nil
    ) async throws -> String {
        let signer = JWTKeyCollection()
        await signer.add(hmac: HMACKey(from: secret), digestAlgorithm: digest)
        guard let headerAlgorithm else { return try await signer.sign(claims) }
        return try await signer.sign(claims, header: ["alg": .string(headerAlgorithm)])
    }

    static func token(_ claims: some JWTPayload, for algorithm: String, kid: String? = nil) async throws -> String {
        let signer = JWTKeyCollection()
        switch algorithm {
        case "RS256": await signer.add(rsa: keys.rsa, digestAlgorithm: .sha256)
        case "ES256-1": await signer.add(ecdsa: keys.ec1)
        case "ES256-2": await signer.add(ecdsa: keys.ec2)
        case "EdDSA": await signer.add(eddsa: keys.ed)
        default: fatalError("no key for \(algorithm)")
        }
        return try await signer.sign(claims, kid: kid.map(JWKIdentifier.init(string:)))
    }

    /// `{"alg":"none"}` with the claims and an empty signature, as an attacker writes it.
    static func unsigned(_ claims: Claims) throws -> String {
        let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64URLEncoded
        let payload = try JSONEncoder().encode(claims).base64URLEncoded
        return header + "." + payload + "."
    }
}

extension Data {
    var base64URLEncoded: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
