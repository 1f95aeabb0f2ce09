import BookingTokens
import Foundation
import JWTKit
import Testing

@testable import BookingBench

@Suite struct UserIdentitiesTests {
    static let secret = String(repeating: "s", count: 32)

    @Test func theTrustingModeNamesTheUserAndSendsNoToken() async throws {
        let users = try await TokenOptions().identities(prefix: "u-", count: 3)
        #expect(!users.usesTokens)
        #expect(users.userID(2) == "u-2")
        #expect(users.headers(2).isEmpty)
        let request = BenchRequest.reserve(eventID: 4, by: 2, of: users)
        #expect(request.body == #"{"event_id":4,"user_id":"u-2"}"#)
        #expect(request.headers.isEmpty)
    }

    @Test func theTokenModeGivesEachUserATokenForItselfSignedWithTheSecret() async throws {
        let options = TokenOptions(secret: Self.secret, issuer: "bench-issuer", audience: "booking")
        let users = try await options.identities(prefix: "u-", count: 5)
        #expect(users.usesTokens)
        let verifier = JWTKeyCollection()
        await verifier.add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256)
        var tokens: Set<String> = []
        for index in 0..<5 {
            let headers = users.headers(index)
            #expect(headers.count == 1)
            let (name, value) = try #require(headers.first)
            #expect(name == "Authorization")
            #expect(value.hasPrefix("Bearer "))
            let token = String(value.dropFirst("Bearer ".count))
            tokens.insert(token)
            let claims = try await verifier.verify(token, as: TokenClaims.self)
            #expect(claims.sub?.value == "u-\(index)")
            #expect(claims.iss?.value == "bench-issuer")
            #expect(claims.aud?.value == ["booking"])
            #expect(claims.roles == nil)
            // Valid for longer than any run.
            #expect(claims.exp.value.timeIntervalSinceNow > 3600)
        }
        #expect(tokens.count == 5)
        // A token signed with another secret is not one of these.
        let other = JWTKeyCollection()
        await other.add(hmac: HMACKey(from: String(repeating: "t", count: 32)), digestAlgorithm: .sha256)
        await #expect(throws: (any Error).self) { try await other.verify(tokens.first!, as: TokenClaims.self) }
    }
}
