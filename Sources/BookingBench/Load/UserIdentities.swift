import BookingTokens
import Foundation

/// The users of a scenario, `<prefix>0 … <prefix>(count-1)`, and how each proves who it is: in
/// the trusting mode by naming itself in `user_id` alone, in the token mode also by a bearer token
/// of its own (docs/api.md, "Identity"). Tokens are minted before the measurement, as a real
/// client holds one token for many requests: the run measures the server's verifying them, not
/// the generator's signing.
struct UserIdentities: Sendable {
    let prefix: String
    let count: Int
    /// `Bearer <token>` of user `i`, or nil in the trusting mode.
    private let authorizations: [String]?

    static func trusting(prefix: String, count: Int) -> UserIdentities {
        UserIdentities(prefix: prefix, count: count, authorizations: nil)
    }

    static func minted(prefix: String, count: Int, tokens: [String]) -> UserIdentities {
        precondition(tokens.count == count, "one token per user")
        return UserIdentities(prefix: prefix, count: count, authorizations: tokens.map { "Bearer " + $0 })
    }

    var usesTokens: Bool { authorizations != nil }

    func userID(_ index: Int) -> String {
        precondition((0..<count).contains(index), "user \(index) of \(count)")
        return "\(prefix)\(index)"
    }

    func headers(_ index: Int) -> [(String, String)] {
        authorizations.map { [("Authorization", $0[index])] } ?? []
    }
}

/// `--jwt-secret`: the token mode's HS256 secret, the server's `AUTH_JWT_SECRET`.
struct TokenOptions: Sendable {
    var secret: String?
    var issuer: String?
    var audience: String?

    /// How long a minted token is valid: longer than any run (`--seconds` is at most an hour).
    static let lifetime: TimeInterval = 2 * 3600

    /// The users of `prefix`, with a token each when a secret is given. Signed by jwt-kit on every
    /// core (an issuer each), with the time it took on the progress line.
    func identities(prefix: String, count: Int) async throws -> UserIdentities {
        guard let secret else { return .trusting(prefix: prefix, count: count) }
        let clock = ContinuousClock()
        let start = clock.now
        let lanes = max(1, min(ProcessInfo.processInfo.activeProcessorCount, count))
        let now = Date()
        let (issuer, audience) = (issuer, audience)
        let tokens = try await withThrowingTaskGroup(of: (Int, [String]).self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    let signer = await DevelopmentIssuer(secret: secret, issuer: issuer, audience: audience)
                    var tokens: [String] = []
                    for index in stride(from: lane, to: count, by: lanes) {
                        tokens.append(try await signer.token(subject: "\(prefix)\(index)", lifetime: Self.lifetime, now: now))
                    }
                    return (lane, tokens)
                }
            }
            var byLane = [[String]](repeating: [], count: lanes)
            for try await (lane, tokens) in group { byLane[lane] = tokens }
            return (0..<count).map { byLane[$0 % lanes][$0 / lanes] }
        }
        let took = (clock.now - start) / .seconds(1)
        ProgressLine.note("token mode: minted \(count) HS256 tokens for \(prefix)… in \(String(format: "%.2f", took)) s")
        return .minted(prefix: prefix, count: count, tokens: tokens)
    }
}
