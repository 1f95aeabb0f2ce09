public import Foundation
public import JWTKit

/// The JSON decoder the server's jwt-kit key collections read tokens with. jwt-kit decodes two
/// documents per token: the header (for its `alg` and `kid`) and the payload. The payload, when
/// it is ``TokenClaims``, is read by ``TokenClaims/init(json:)``; every other document by
/// Foundation's decoder as jwt-kit configures it, and a small one (a header: an issuer signs with
/// the same few) is remembered by its bytes, since decoding is a function of them.
public struct ClaimsJSONDecoder: JWTJSONDecoder {
    private let foundation: any JWTJSONDecoder = JSONDecoder.defaultForJWT
    private let remembered = Remembered()

    /// Documents up to this size are remembered, at most `2 × Remembered.generation` of them.
    static let rememberedBytes = 512

    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        if type == TokenClaims.self { return try TokenClaims(json: data) as! T }
        guard data.count <= Self.rememberedBytes else { return try foundation.decode(type, from: data) }
        let key = Remembered.Key(type: ObjectIdentifier(type), bytes: data)
        if let known = remembered.value(for: key) as? T { return known }
        let value = try foundation.decode(type, from: data)
        remembered.insert(value, for: key)
        return value
    }

    /// Decoded documents by type and bytes. The values are jwt-kit's header structs: immutable
    /// values, safe to share, which the generic `T` cannot say (hence the `@unchecked` box).
    final class Remembered: Sendable {
        struct Key: Hashable, Sendable {
            let type: ObjectIdentifier
            let bytes: Data
        }

        final class Box: @unchecked Sendable {
            let value: Any
            init(_ value: Any) { self.value = value }
        }

        private let cache = TwoGenerationCache<Key, Box>(generation: 64)

        func value(for key: Key) -> Any? { cache.value(for: key)?.value }

        func insert(_ value: Any, for key: Key) { cache.insert(Box(value), for: key) }
    }
}
