/// Bookkeeping for a channel in confirm mode: which publish batch each delivery tag belongs to,
/// and which batches are settled by the broker's basic.ack / basic.nack (honouring `multiple`)
/// or by a basic.return. Pure state: the connection thread feeds it frames and resumes the
/// waiters it names.
struct PublisherConfirms {
    typealias BatchID = UInt64

    enum Outcome: Equatable {
        case confirmed
        case failed(AMQPError)
    }

    /// The tag the next published message gets (the broker counts from 1 per channel).
    private(set) var nextTag: UInt64 = 1
    private var batchOfTag: [UInt64: BatchID] = [:]
    private var remainingInBatch: [BatchID: Int] = [:]
    private var nextBatchID: BatchID = 0
    /// Lowest tag that may still be unsettled; makes `multiple` settle in amortised O(1).
    private var floor: UInt64 = 1
    /// Set by basic.return: RabbitMQ sends the return of an unroutable mandatory message just
    /// before the basic.ack for it, so the next ack's tag names the returned message.
    private var pendingReturn: AMQPError?

    var unsettledBatches: Int { remainingInBatch.count }
    var unsettledMessages: Int { batchOfTag.count }

    /// Reserves `count` consecutive tags for one batch; call it just before publishing them.
    mutating func startBatch(count: Int) -> (id: BatchID, tags: Range<UInt64>) {
        precondition(count > 0, "a batch holds at least one message")
        let id = nextBatchID
        nextBatchID += 1
        let tags = nextTag..<(nextTag + UInt64(count))
        for tag in tags { batchOfTag[tag] = id }
        remainingInBatch[id] = count
        nextTag = tags.upperBound
        return (id, tags)
    }

    mutating func ack(tag: UInt64, multiple: Bool) -> [(BatchID, Outcome)] {
        var results: [(BatchID, Outcome)] = []
        if let returned = pendingReturn {
            pendingReturn = nil
            settle(tag: tag, failure: returned, into: &results)
        }
        settle(upTo: tag, multiple: multiple, failure: nil, into: &results)
        return results
    }

    mutating func nack(tag: UInt64, multiple: Bool) -> [(BatchID, Outcome)] {
        var results: [(BatchID, Outcome)] = []
        let error = AMQPError(.publishNacked, message: "the broker refused (basic.nack) the message with delivery tag \(tag)")
        settle(upTo: tag, multiple: multiple, failure: error, into: &results)
        return results
    }

    mutating func returned(replyCode: UInt16, replyText: String, exchange: String, routingKey: String) {
        pendingReturn = AMQPError(
            .unroutable,
            message: "mandatory message to exchange '\(exchange)' with routing key '\(routingKey)' was returned",
            replyCode: replyCode,
            replyText: replyText
        )
    }

    /// Fails every unsettled batch, e.g. when the channel or connection closed.
    mutating func failAll(_ error: AMQPError) -> [(BatchID, Outcome)] {
        let results = remainingInBatch.keys.sorted().map { ($0, Outcome.failed(error)) }
        batchOfTag.removeAll()
        remainingInBatch.removeAll()
        floor = nextTag
        pendingReturn = nil
        return results
    }

    private mutating func settle(upTo tag: UInt64, multiple: Bool, failure: AMQPError?, into results: inout [(BatchID, Outcome)]) {
        let last = min(tag, nextTag - 1)
        if multiple {
            var current = floor
            while current <= last {
                settle(tag: current, failure: failure, into: &results)
                current += 1
            }
        } else {
            settle(tag: tag, failure: failure, into: &results)
        }
        while floor < nextTag, batchOfTag[floor] == nil { floor += 1 }
    }

    private mutating func settle(tag: UInt64, failure: AMQPError?, into results: inout [(BatchID, Outcome)]) {
        guard let batch = batchOfTag.removeValue(forKey: tag) else { return }
        // A batch that already failed stays failed; its later tags settle silently.
        guard let remaining = remainingInBatch[batch] else { return }
        if let failure {
            remainingInBatch[batch] = nil
            results.append((batch, .failed(failure)))
        } else if remaining == 1 {
            remainingInBatch[batch] = nil
            results.append((batch, .confirmed))
        } else {
            remainingInBatch[batch] = remaining - 1
        }
    }
}
