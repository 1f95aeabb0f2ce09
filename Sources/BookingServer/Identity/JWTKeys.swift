import BookingTokens
import Foundation
import JWTKit

/// The keys of the token mode, from `AUTH_JWT_SECRET` (HS256) and `AUTH_JWT_PUBLIC_KEYS` (a file
/// of PEM public keys, or a JWKS document, for RS256, ES256 and EdDSA). jwt-kit reads every key;
/// this only sorts them into one collection each, with the algorithm each may verify. Every
/// collection reads tokens with ``ClaimsJSONDecoder``.
enum JWTKeys {
    static let parser = DefaultJWTParser(jsonDecoder: ClaimsJSONDecoder())

    private static func makeCollection() -> JWTKeyCollection {
        JWTKeyCollection(defaultJWTParser: parser)
    }

    /// A key setting the server cannot use, described for the operator.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func load(secret: String?, publicKeysFile: String?) async throws -> [TokenAuthenticator.Key] {
        var keys: [TokenAuthenticator.Key] = []
        if let secret {
            guard secret.utf8.count >= 32 else {
                throw Invalid(description: "AUTH_JWT_SECRET must be at least 32 bytes, not \(secret.utf8.count)")
            }
            let collection = makeCollection()
            await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, parser: parser)
            keys.append(.init(algorithm: "HS256", kid: nil, collection: collection))
        }
        if let publicKeysFile {
            let text: String
            do {
                text = try String(contentsOfFile: publicKeysFile, encoding: .utf8)
            } catch {
                throw Invalid(description: "AUTH_JWT_PUBLIC_KEYS: cannot read \(publicKeysFile): \(error.localizedDescription)")
            }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let fromFile = trimmed.hasPrefix("{") ? try await jwks(trimmed) : try await pemKeys(trimmed)
            guard !fromFile.isEmpty else { throw Invalid(description: "AUTH_JWT_PUBLIC_KEYS (\(publicKeysFile)) holds no key") }
            keys += fromFile
        }
        return keys
    }

    /// Every key of a JWKS document, each by its `kid`, with its `alg` (or the one its type and
    /// curve imply).
    private static func jwks(_ json: String) async throws -> [TokenAuthenticator.Key] {
        let document: JWKS
        do {
            document = try JSONDecoder().decode(JWKS.self, from: Data(json.utf8))
        } catch {
            throw Invalid(description: "AUTH_JWT_PUBLIC_KEYS is not a JWKS document of RSA, EC or OKP keys: \(error)")
        }
        var keys: [TokenAuthenticator.Key] = []
        for (index, jwk) in document.keys.enumerated() {
            guard let algorithm = algorithm(of: jwk) else {
                throw Invalid(description: "AUTH_JWT_PUBLIC_KEYS: key \(index + 1) is not an RS256, ES256 or EdDSA key")
            }
            let collection = makeCollection()
            do {
                try await collection.add(jwk: jwk, isDefault: true)
            } catch {
                throw Invalid(description: "AUTH_JWT_PUBLIC_KEYS: key \(index + 1) cannot be read: \(error)")
            }
            keys.append(.init(algorithm: algorithm, kid: jwk.keyIdentifier?.string, collection: collection))
        }
        return keys
    }

    private static func algorithm(of jwk: JWK) -> String? {
        let implied: String? = switch (jwk.keyType.rawValue, jwk.curve?.rawValue) {
        case ("RSA", _): "RS256"
        case ("EC", "P-256"): "ES256"
        case ("OKP", "Ed25519"): "EdDSA"
        default: nil
        }
        guard let declared = jwk.algorithm?.rawValue else { return implied }
        return declared == implied ? declared : nil
    }

    /// Every `-----BEGIN PUBLIC KEY-----` block, as whichever of RSA, P-256 and Ed25519 it is.
    private static func pemKeys(_ text: String) async throws -> [TokenAuthenticator.Key] {
        let end = "-----END PUBLIC KEY-----"
        let blocks = text.components(separatedBy: end).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }.map { $0 + "\n" + end }
        guard !blocks.isEmpty else { throw Invalid(description: "AUTH_JWT_PUBLIC_KEYS holds no PEM public key") }
        var keys: [TokenAuthenticator.Key] = []
        for (index, pem) in blocks.enumerated() {
            let collection = makeCollection()
            if let key = try? Insecure.RSA.PublicKey(pem: pem) {
                await collection.add(rsa: key, digestAlgorithm: .sha256, parser: parser)
                keys.append(.init(algorithm: "RS256", kid: nil, collection: collection))
            } else if let key = try? ES256PublicKey(pem: pem) {
                await collection.add(ecdsa: key, parser: parser)
                keys.append(.init(algorithm: "ES256", kid: nil, collection: collection))
            } else if let key = try? EdDSA.PublicKey(pem: pem) {
                await collection.add(eddsa: key, parser: parser)
                keys.append(.init(algorithm: "EdDSA", kid: nil, collection: collection))
            } else {
                throw Invalid(description: "AUTH_JWT_PUBLIC_KEYS: PEM block \(index + 1) is not an RSA, P-256 or Ed25519 public key")
            }
        }
        return keys
    }
}
