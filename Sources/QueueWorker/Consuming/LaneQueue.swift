import Synchronization

/// The deliveries waiting for one lane, handed over in batches: whatever has arrived since the
/// lane last looked (up to a limit), so that a busy lane records many messages in one statement
/// while a quiet one still handles each at once. Unbounded, because the broker's prefetch
/// already bounds how many deliveries the worker holds.
final class LaneQueue<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    private enum Step {
        case items([Item])
        case done
        case wait
    }

    func push(_ item: Item) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.items.append(item)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// No more items will come; `next` returns nil once the queue is empty.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Up to `limit` items in arrival order, waiting for the first; nil when finished and empty.
    /// One consumer at a time.
    func next(limit: Int) async -> [Item]? {
        while true {
            let step = state.withLock { state -> Step in
                if !state.items.isEmpty {
                    let count = min(limit, state.items.count)
                    let batch = Array(state.items.prefix(count))
                    state.items.removeFirst(count)
                    return .items(batch)
                }
                return state.finished ? .done : .wait
            }
            switch step {
            case .items(let batch): return batch
            case .done: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        if !state.items.isEmpty || state.finished { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            }
        }
    }
}
