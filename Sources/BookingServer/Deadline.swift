import Synchronization

/// Waits for work at most a given time, even work that ignores cancellation.
enum Deadline {
    /// Runs `work` unstructured and returns its result, or a ``Missed`` failure after `deadline`
    /// (and cancels it). Running it unstructured is the point: a task group would wait for a
    /// child that ignores cancellation, so a hanging server could hold the answer back.
    static func firstAnswer<Value: Sendable>(
        within deadline: Duration, _ work: @escaping @Sendable () async throws -> Value
    ) async -> Result<Value, any Error> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<Value, any Error>, Never>) in
            let answer = FirstAnswer(continuation)
            let running = Task {
                do {
                    answer.give(.success(try await work()))
                } catch {
                    answer.give(.failure(error))
                }
            }
            Task {
                try? await Task.sleep(for: deadline)
                if answer.give(.failure(Missed(deadline: deadline))) { running.cancel() }
            }
        }
    }

    /// No answer came within the deadline.
    struct Missed: Error, CustomStringConvertible {
        let deadline: Duration
        var description: String { "no answer within \(deadline)" }
    }

    /// Resumes its continuation with whichever answer comes first.
    private final class FirstAnswer<Value: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Result<Value, any Error>, Never>?>

        init(_ continuation: CheckedContinuation<Result<Value, any Error>, Never>) {
            self.continuation = Mutex(continuation)
        }

        /// True when this was the first answer.
        @discardableResult
        func give(_ result: Result<Value, any Error>) -> Bool {
            guard let continuation = continuation.withLock({ $0.take() }) else { return false }
            continuation.resume(returning: result)
            return true
        }
    }
}
