import BookingCore
import BookingTokens
import Foundation
import Synchronization
import Testing

@testable import BookingServer

/// The token mode keeps the claims of tokens it has verified (docs/api.md, "Identity"): a hit
/// saves the signature check, never the judging of the claims, and nothing but a verified token
/// gets in.
@Suite("Verified token cache")
struct VerifiedTokenCacheTests {
    /// The authenticator's clock, moved by the test.
    final class TestClock: Sendable {
        private let offset = Mutex<TimeInterval>(0)
        func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
        func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    }

    private func authenticator(clock: TestClock) async throws -> TokenAuthenticator {
        var authenticator = try await TestTokens.authenticator()
        authenticator.now = { clock.now() }
        return authenticator
    }

    private func caller(_ authenticator: TokenAuthenticator, _ token: String) async -> Result<Caller, AuthenticationFailure> {
        do throws(AuthenticationFailure) {
            return .success(try await authenticator.caller(bearer: token))
        } catch {
            return .failure(error)
        }
    }

    @Test func aKnownTokenIsJudgedAgainAtEachRequestsTime() async throws {
        let clock = TestClock()
        let authenticator = try await authenticator(clock: clock)
        let token = try await TestTokens.hs256(TestTokens.Claims(sub: "alice", expiresIn: 60))
        #expect(await caller(authenticator, token) == .success(.verified(subject: "alice", isAdmin: false)))
        #expect(authenticator.verifiedTokens.count == 1)
        clock.advance(by: 60 + 20)
        #expect(await caller(authenticator, token) == .success(.verified(subject: "alice", isAdmin: false)), "within the leeway")
        clock.advance(by: 20)
        #expect(await caller(authenticator, token) == .failure(.invalid), "expired beyond the leeway though known")
    }

    @Test func aTokenNotYetValidIsNotKeptAndIsTakenOnceItIs() async throws {
        let clock = TestClock()
        let authenticator = try await authenticator(clock: clock)
        let token = try await TestTokens.hs256(TestTokens.Claims(sub: "bob", notBeforeIn: 120))
        #expect(await caller(authenticator, token) == .failure(.invalid))
        #expect(authenticator.verifiedTokens.count == 0)
        clock.advance(by: 100)
        #expect(await caller(authenticator, token) == .success(.verified(subject: "bob", isAdmin: false)))
        #expect(authenticator.verifiedTokens.count == 1)
    }

    @Test func aForgedSignatureOrPayloadBesideAKnownTokenIsRefused() async throws {
        let authenticator = try await authenticator(clock: TestClock())
        let token = try await TestTokens.hs256(TestTokens.Claims(sub: "carol"))
        #expect(await caller(authenticator, token) == .success(.verified(subject: "carol", isAdmin: false)))
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let otherSignature = try await TestTokens.hs256(TestTokens.Claims(sub: "carol"), secret: String(repeating: "f", count: 40))
            .split(separator: ".").last.map(String.init)!
        #expect(await caller(authenticator, parts[0] + "." + parts[1] + "." + otherSignature) == .failure(.invalid))
        let mallory = try JSONEncoder().encode(TestTokens.Claims(sub: "mallory")).base64URLEncoded
        #expect(await caller(authenticator, parts[0] + "." + mallory + "." + parts[2]) == .failure(.invalid))
        #expect(authenticator.verifiedTokens.count == 1)
    }

    @Test func aLongTokenIsVerifiedEveryTimeNotKept() async throws {
        let authenticator = try await authenticator(clock: TestClock())
        let roles = (0..<200).map { "role-\($0)" }
        let token = try await TestTokens.hs256(TestTokens.Claims(sub: "dave", roles: roles))
        #expect(token.utf8.count > TokenAuthenticator.cachedTokenBytes)
        #expect(await caller(authenticator, token) == .success(.verified(subject: "dave", isAdmin: false)))
        #expect(authenticator.verifiedTokens.count == 0)
    }

    @Test func theCacheIsBoundedAndKeepsWhatIsUsed() {
        let cache = TwoGenerationCache<String, Int>(generation: 3)
        for (index, key) in ["a", "b", "c", "d"].enumerated() { cache.insert(index, for: key) }
        // a, b, c are the previous generation now; using a brings it forward.
        #expect(cache.value(for: "a") == 0)
        cache.insert(4, for: "e")
        cache.insert(5, for: "f")
        // The current generation (d, a, e) was full: it became the previous one, and b and c went.
        #expect(cache.value(for: "b") == nil)
        #expect(cache.value(for: "c") == nil)
        #expect(cache.value(for: "a") == 0)
        #expect(cache.value(for: "f") == 5)
        for index in 0..<100 { cache.insert(index, for: "k\(index)") }
        #expect(cache.count <= 6)
    }
}
