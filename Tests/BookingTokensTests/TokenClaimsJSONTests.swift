import BookingTokens
import Foundation
import JWTKit
import Testing

/// ``TokenClaims/init(json:)`` against jwt-kit's own Codable decoding of the same type, on payloads
/// an issuer writes and on payloads it should not: the two agree on every one (both read the
/// same claims, or both refuse), so the server reads what jwt-kit would have read.
@Suite struct TokenClaimsJSONTests {
    static let payloads: [String] = [
        #"{"exp":1900000000,"sub":"alice"}"#,
        #"{"exp":1900000000.5,"nbf":1700000000,"iat":1700000000,"iss":"idp","aud":"booking","sub":"alice","roles":["booking-admin"]}"#,
        #"{"exp":1900000000,"aud":["booking","other"],"sub":"bob"}"#,
        #"{"exp":1900000000,"aud":[],"roles":[]}"#,
        #"{"exp":1900000000,"sub":null,"iss":null,"aud":null,"roles":null,"nbf":null,"iat":null}"#,
        #"{"exp":1900000000,"sub":"é","extra":{"nested":[1,2,3]},"scope":"read write"}"#,
        #"{"exp":-1}"#,
        #"{"exp":0,"sub":""}"#,
        #"{"exp":1.9e9,"sub":"e\u0301"}"#,
        // Refused by both.
        #"{"sub":"alice"}"#,
        #"{"exp":null,"sub":"alice"}"#,
        #"{"exp":"1900000000","sub":"alice"}"#,
        #"{"exp":true}"#,
        #"{"exp":1900000000,"sub":42}"#,
        #"{"exp":1900000000,"iss":["idp"]}"#,
        #"{"exp":1900000000,"aud":7}"#,
        #"{"exp":1900000000,"aud":["booking",7]}"#,
        #"{"exp":1900000000,"roles":"booking-admin"}"#,
        #"{"exp":1900000000,"roles":["booking-admin",null]}"#,
        #"{"exp":1900000000,"nbf":"soon"}"#,
        #"[{"exp":1900000000}]"#,
        #""exp""#,
        #"{"exp":1900000000"#,
        "",
    ]

    @Test(arguments: payloads)
    func readsWhatJWTKitsDecodingReads(_ payload: String) throws {
        let data = Data(payload.utf8)
        let foundation = Result { try (JSONDecoder.defaultForJWT).decode(TokenClaims.self, from: data) }
        let strict = Result { try TokenClaims(json: data) }
        switch (foundation, strict) {
        case (.success(let expected), .success(let claims)):
            #expect(claims.exp.value == expected.exp.value)
            #expect(claims.nbf?.value == expected.nbf?.value)
            #expect(claims.iat?.value == expected.iat?.value)
            #expect(claims.iss?.value.utf8.elementsEqual(expected.iss?.value.utf8 ?? "".utf8) ?? (expected.iss == nil))
            #expect(claims.sub.map { Array($0.value.utf8) } == expected.sub.map { Array($0.value.utf8) })
            #expect(claims.aud?.value == expected.aud?.value)
            #expect(claims.roles == expected.roles)
        case (.failure, .failure):
            break
        case (.success, .failure(let error)):
            Issue.record("jwt-kit reads \(payload), the strict decoder refuses it: \(error)")
        case (.failure(let error), .success):
            Issue.record("jwt-kit refuses \(payload) (\(error)), the strict decoder reads it")
        }
    }

    /// What RFC 8259 does not allow and Foundation's decoder lets through: no issuer writes it,
    /// and a token that has it is malformed.
    @Test(arguments: [#"{"exp":1900000000,}"#, #"{"exp":1900000000,"sub":"alice",}"#])
    func syntaxOutsideTheRFCIsRefused(_ payload: String) {
        #expect(throws: TokenClaims.Malformed.self) { try TokenClaims(json: Data(payload.utf8)) }
    }

    /// jwt-kit verifies with ``ClaimsJSONDecoder`` as with its own: the same claims, the same
    /// refusals of a bad signature.
    @Test func aKeyCollectionWithTheDecoderVerifiesAsJWTKitDoes() async throws {
        let secret = String(repeating: "q", count: 32)
        let issuer = await DevelopmentIssuer(secret: secret, issuer: "idp", audience: "booking")
        let token = try await issuer.token(subject: "alice", admin: true, lifetime: 600)
        let plain = JWTKeyCollection()
        await plain.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let parser = DefaultJWTParser(jsonDecoder: ClaimsJSONDecoder())
        let strict = JWTKeyCollection(defaultJWTParser: parser)
        await strict.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, parser: parser)
        for _ in 0..<3 {
            let expected = try await plain.verify(token, as: TokenClaims.self)
            let claims = try await strict.verify(token, as: TokenClaims.self)
            #expect(claims.sub?.value == expected.sub?.value)
            #expect(claims.roles == [TokenClaims.adminRole])
            #expect(claims.aud?.value == ["booking"])
            #expect(claims.exp.value == expected.exp.value)
        }
        let forged = token.dropLast(2) + (token.hasSuffix("AA") ? "BB" : "AA")
        await #expect(throws: (any Error).self) { try await strict.verify(String(forged), as: TokenClaims.self) }
    }
}
