import XCTest
@testable import AMQP

final class PublisherConfirmsTests: XCTestCase {
    func testSingleAcksSettleABatchOnlyWhenEveryTagIsAcked() {
        var confirms = PublisherConfirms()
        let batch = confirms.startBatch(count: 3)
        XCTAssertEqual(batch.tags, 1..<4)
        XCTAssertTrue(confirms.ack(tag: 2, multiple: false).isEmpty)
        XCTAssertTrue(confirms.ack(tag: 1, multiple: false).isEmpty)
        let settled = confirms.ack(tag: 3, multiple: false)
        XCTAssertEqual(settled.map(\.0), [batch.id])
        XCTAssertEqual(settled.first?.1, .confirmed)
        XCTAssertEqual(confirms.unsettledMessages, 0)
    }

    func testMultipleAckSettlesEveryEarlierBatch() {
        var confirms = PublisherConfirms()
        let first = confirms.startBatch(count: 2)
        let second = confirms.startBatch(count: 2)
        let third = confirms.startBatch(count: 1)
        let settled = confirms.ack(tag: 4, multiple: true)
        XCTAssertEqual(settled.map(\.0), [first.id, second.id])
        XCTAssertEqual(confirms.unsettledBatches, 1)
        XCTAssertEqual(confirms.ack(tag: 5, multiple: true).map(\.0), [third.id])
    }

    func testNackFailsTheBatchAndLaterAcksOfItAreIgnored() {
        var confirms = PublisherConfirms()
        let batch = confirms.startBatch(count: 3)
        let other = confirms.startBatch(count: 1)
        let failed = confirms.nack(tag: 2, multiple: false)
        XCTAssertEqual(failed.count, 1)
        XCTAssertEqual(failed.first?.0, batch.id)
        guard case .failed(let error) = failed.first?.1 else { return XCTFail("expected a failure") }
        XCTAssertEqual(error.kind, .publishNacked)
        XCTAssertEqual(confirms.ack(tag: 4, multiple: true).map(\.0), [other.id])
        XCTAssertEqual(confirms.unsettledMessages, 0)
    }

    func testReturnFailsTheMessageNamedByTheFollowingAck() {
        var confirms = PublisherConfirms()
        let routed = confirms.startBatch(count: 1)
        let unroutable = confirms.startBatch(count: 1)
        confirms.returned(replyCode: 312, replyText: "NO_ROUTE", exchange: "x", routingKey: "k")
        let settled = confirms.ack(tag: 2, multiple: true)
        XCTAssertEqual(settled.count, 2)
        XCTAssertEqual(settled.first { $0.0 == routed.id }?.1, .confirmed)
        guard case .failed(let error) = settled.first(where: { $0.0 == unroutable.id })?.1 else {
            return XCTFail("the returned message must fail")
        }
        XCTAssertEqual(error.kind, .unroutable)
        XCTAssertEqual(error.replyCode, 312)
    }

    func testFailAllFailsEveryUnsettledBatchAndTagsKeepCounting() {
        var confirms = PublisherConfirms()
        _ = confirms.startBatch(count: 2)
        _ = confirms.startBatch(count: 2)
        XCTAssertEqual(confirms.failAll(AMQPError(.connectionClosed, message: "gone")).count, 2)
        XCTAssertEqual(confirms.unsettledMessages, 0)
        XCTAssertEqual(confirms.startBatch(count: 1).tags, 5..<6)
    }

    func testAckOfUnknownTagIsHarmless() {
        var confirms = PublisherConfirms()
        XCTAssertTrue(confirms.ack(tag: 99, multiple: true).isEmpty)
        XCTAssertTrue(confirms.ack(tag: 7, multiple: false).isEmpty)
    }
}
