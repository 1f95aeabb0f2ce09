import Testing
@testable import AMQP

@Suite struct PublisherConfirmsTests {
    @Test func singleAcksSettleABatchOnlyWhenEveryTagIsAcked() {
        var confirms = PublisherConfirms()
        let batch = confirms.startBatch(count: 3)
        #expect(batch.tags == 1..<4)
        #expect(confirms.ack(tag: 2, multiple: false).isEmpty)
        #expect(confirms.ack(tag: 1, multiple: false).isEmpty)
        let settled = confirms.ack(tag: 3, multiple: false)
        #expect(settled.map(\.0) == [batch.id])
        #expect(settled.first?.1 == .confirmed)
        #expect(confirms.unsettledMessages == 0)
    }

    @Test func multipleAckSettlesEveryEarlierBatch() {
        var confirms = PublisherConfirms()
        let first = confirms.startBatch(count: 2)
        let second = confirms.startBatch(count: 2)
        let third = confirms.startBatch(count: 1)
        let settled = confirms.ack(tag: 4, multiple: true)
        #expect(settled.map(\.0) == [first.id, second.id])
        #expect(confirms.unsettledBatches == 1)
        #expect(confirms.ack(tag: 5, multiple: true).map(\.0) == [third.id])
    }

    @Test func nackFailsTheBatchAndLaterAcksOfItAreIgnored() {
        var confirms = PublisherConfirms()
        let batch = confirms.startBatch(count: 3)
        let other = confirms.startBatch(count: 1)
        let failed = confirms.nack(tag: 2, multiple: false)
        #expect(failed.count == 1)
        #expect(failed.first?.0 == batch.id)
        guard case .failed(let error) = failed.first?.1 else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.kind == .publishNacked)
        #expect(confirms.ack(tag: 4, multiple: true).map(\.0) == [other.id])
        #expect(confirms.unsettledMessages == 0)
    }

    @Test func returnFailsTheMessageNamedByTheFollowingAck() {
        var confirms = PublisherConfirms()
        let routed = confirms.startBatch(count: 1)
        let unroutable = confirms.startBatch(count: 1)
        confirms.returned(replyCode: 312, replyText: "NO_ROUTE", exchange: "x", routingKey: "k")
        let settled = confirms.ack(tag: 2, multiple: true)
        #expect(settled.count == 2)
        #expect(settled.first(where: { $0.0 == routed.id })?.1 == .confirmed)
        guard case .failed(let error) = settled.first(where: { $0.0 == unroutable.id })?.1 else {
            Issue.record("the returned message must fail")
            return
        }
        #expect(error.kind == .unroutable)
        #expect(error.replyCode == 312)
    }

    @Test func failAllFailsEveryUnsettledBatchAndTagsKeepCounting() {
        var confirms = PublisherConfirms()
        _ = confirms.startBatch(count: 2)
        _ = confirms.startBatch(count: 2)
        #expect(confirms.failAll(AMQPError(.connectionClosed, message: "gone")).count == 2)
        #expect(confirms.unsettledMessages == 0)
        #expect(confirms.startBatch(count: 1).tags == 5..<6)
    }

    @Test func ackOfUnknownTagIsHarmless() {
        var confirms = PublisherConfirms()
        #expect(confirms.ack(tag: 99, multiple: true).isEmpty)
        #expect(confirms.ack(tag: 7, multiple: false).isEmpty)
    }
}
