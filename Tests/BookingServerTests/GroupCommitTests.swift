import Synchronization
import Testing

@testable import BookingServer

/// ``GroupCommit``: groups form from what waits while the writers are busy, never larger than
/// the bound, never more writes at once than the writers; each item hears its own outcome.
@Suite("Group commit")
struct GroupCommitTests {
    /// A write that records each group and holds every write until the test lets it go.
    private final class Gate: Sendable {
        private struct State {
            var groups: [[Int]] = []
            var inFlight = 0
            var mostInFlight = 0
            var open = false
            var held: [CheckedContinuation<Void, Never>] = []
        }

        private let state = Mutex(State())

        var groups: [[Int]] { state.withLock { $0.groups } }
        var mostInFlight: Int { state.withLock { $0.mostInFlight } }
        var inFlight: Int { state.withLock { $0.inFlight } }

        func write(_ group: [Int]) async -> [Result<Int, any Error>] {
            await withCheckedContinuation { continuation in
                let proceed = state.withLock { state in
                    state.groups.append(group)
                    state.inFlight += 1
                    state.mostInFlight = max(state.mostInFlight, state.inFlight)
                    if state.open { return true }
                    state.held.append(continuation)
                    return false
                }
                if proceed { continuation.resume() }
            }
            state.withLock { $0.inFlight -= 1 }
            return group.map { $0.isMultiple(of: 7) ? .failure(Refused(item: $0)) : .success($0 * 10) }
        }

        func open() {
            let held = state.withLock { state in
                state.open = true
                defer { state.held = [] }
                return state.held
            }
            held.forEach { $0.resume() }
        }
    }

    private struct Refused: Error, Equatable {
        let item: Int
    }

    private func until(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }

    @Test func anItemAloneIsWrittenAtOnce() async throws {
        let gate = Gate()
        gate.open()
        let commit = GroupCommit<Int, Int>(maxGroup: 64, maxWriters: 4) { await gate.write($0) }
        #expect(try await commit.submit(3) == 30)
        #expect(try await commit.submit(4) == 40)
        #expect(gate.groups == [[3], [4]])
    }

    @Test func whatWaitsForABusyWriterIsWrittenInGroupsOfAtMostTheBound() async throws {
        let gate = Gate()
        let commit = GroupCommit<Int, Int>(maxGroup: 4, maxWriters: 1) { await gate.write($0) }
        try await withThrowingTaskGroup(of: (Int, Result<Int, Refused>).self) { tasks in
            tasks.addTask { (1, await Self.outcome(commit, 1)) }
            try await until { gate.groups.count == 1 }
            for item in 2...11 { tasks.addTask { (item, await Self.outcome(commit, item)) } }
            try await until { commit.waiting == 10 }
            gate.open()
            var outcomes: [Int: Result<Int, Refused>] = [:]
            for try await (item, outcome) in tasks { outcomes[item] = outcome }
            for item in 1...11 {
                #expect(outcomes[item] == (item.isMultiple(of: 7) ? .failure(Refused(item: item)) : .success(item * 10)))
            }
        }
        let groups = gate.groups
        #expect(groups.first == [1])
        #expect(groups.dropFirst().map(\.count) == [4, 4, 2], "\(groups)")
        #expect(Set(groups.joined()) == Set(1...11))
        #expect(gate.mostInFlight == 1)
    }

    @Test func neverMoreWritesAtOnceThanTheWriters() async throws {
        let gate = Gate()
        let commit = GroupCommit<Int, Int>(maxGroup: 2, maxWriters: 3) { await gate.write($0) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for item in 1...40 { tasks.addTask { _ = await Self.outcome(commit, item) } }
            try await until { gate.inFlight == 3 && commit.waiting == 40 - gate.groups.joined().count }
            #expect(gate.mostInFlight == 3)
            gate.open()
            try await tasks.waitForAll()
        }
        #expect(gate.mostInFlight == 3)
        #expect(gate.groups.joined().sorted() == Array(1...40))
        #expect(commit.waiting == 0)
    }

    private static func outcome(_ commit: GroupCommit<Int, Int>, _ item: Int) async -> Result<Int, Refused> {
        do {
            return .success(try await commit.submit(item))
        } catch let refused as Refused {
            return .failure(refused)
        } catch {
            Issue.record("unexpected \(error)")
            return .failure(Refused(item: -1))
        }
    }
}
