import NIOCore

/// The commands written on one connection and still waiting for replies, oldest first.
///
/// Redis answers the commands of a connection in the order it received them, so each reply
/// belongs to the oldest waiter. A pipeline of n commands is one waiter that takes n replies.
/// Plain Swift with no I/O, so that the matching of replies to callers is unit-tested alone.
struct ReplyQueue<Waiter> {
    enum Delivery {
        /// The oldest waiter takes more replies (a pipeline still being answered).
        case incomplete
        /// A single command's reply.
        case one(Waiter, RedisValue)
        /// All replies of a pipeline, in command order.
        case all(Waiter, [RedisValue])
        /// A reply with no command waiting for it: the stream is out of step.
        case unexpected(RedisValue)
    }

    private struct Entry {
        var waiter: Waiter
        /// nil for a single command; the number of commands for a pipeline.
        var pipelineLength: Int?
        var deadline: NIODeadline
    }

    private var entries = CircularBuffer<Entry>()
    /// The replies so far of the oldest entry when it is a pipeline; kept outside the ring buffer
    /// so appending does not copy the array.
    private var oldestPipelineReplies: [RedisValue] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }

    /// The deadline of the oldest waiter, which is the earliest one since all commands of a
    /// connection share one timeout.
    var oldestDeadline: NIODeadline? { entries.first?.deadline }

    mutating func append(_ waiter: Waiter, deadline: NIODeadline) {
        entries.append(Entry(waiter: waiter, pipelineLength: nil, deadline: deadline))
    }

    mutating func append(_ waiter: Waiter, pipelineLength: Int, deadline: NIODeadline) {
        precondition(pipelineLength > 0, "an empty pipeline expects no reply")
        entries.append(Entry(waiter: waiter, pipelineLength: pipelineLength, deadline: deadline))
    }

    mutating func receive(_ value: RedisValue) -> Delivery {
        guard let oldest = entries.first else { return .unexpected(value) }
        guard let length = oldest.pipelineLength else {
            entries.removeFirst()
            return .one(oldest.waiter, value)
        }
        if oldestPipelineReplies.isEmpty { oldestPipelineReplies.reserveCapacity(length) }
        oldestPipelineReplies.append(value)
        guard oldestPipelineReplies.count == length else { return .incomplete }
        entries.removeFirst()
        defer { oldestPipelineReplies = [] }
        return .all(oldest.waiter, oldestPipelineReplies)
    }

    /// Empties the queue and returns every waiter, oldest first, for the caller to fail.
    mutating func removeAll() -> [Waiter] {
        defer {
            entries.removeAll()
            oldestPipelineReplies = []
        }
        return entries.map(\.waiter)
    }
}
