import NIOCore
import Testing
@testable import Redis

@Suite struct ReplyQueueTests {
    let soon = NIODeadline.now() + .seconds(1)

    @Test func repliesGoToWaitersInTheOrderTheyWrote() {
        var queue = ReplyQueue<String>()
        queue.append("first", deadline: soon)
        queue.append("second", deadline: soon + .seconds(1))
        guard case .one("first", .integer(1)) = queue.receive(.integer(1)) else { Issue.record("first"); return }
        #expect(queue.oldestDeadline == soon + .seconds(1))
        guard case .one("second", .integer(2)) = queue.receive(.integer(2)) else { Issue.record("second"); return }
        #expect(queue.isEmpty)
    }

    @Test func pipelineCollectsAllItsRepliesBeforeTheNextWaiter() {
        var queue = ReplyQueue<String>()
        queue.append("pipeline", pipelineLength: 3, deadline: soon)
        queue.append("after", deadline: soon)
        guard case .incomplete = queue.receive(.integer(1)) else { Issue.record("1"); return }
        guard case .incomplete = queue.receive(.error(RedisServerError(code: "ERR", message: "x"))) else { Issue.record("2"); return }
        guard case .all("pipeline", let values) = queue.receive(.null) else { Issue.record("3"); return }
        #expect(values == [.integer(1), .error(RedisServerError(code: "ERR", message: "x")), .null])
        guard case .one("after", .status("OK")) = queue.receive(.status("OK")) else { Issue.record("after"); return }
    }

    @Test func replyWithNobodyWaitingIsUnexpected() {
        var queue = ReplyQueue<String>()
        guard case .unexpected(.integer(9)) = queue.receive(.integer(9)) else { Issue.record("not unexpected"); return }
    }

    @Test func removeAllReturnsEveryWaiterOldestFirstAndForgetsPartialReplies() {
        var queue = ReplyQueue<String>()
        queue.append("a", pipelineLength: 2, deadline: soon)
        queue.append("b", deadline: soon)
        _ = queue.receive(.integer(1))
        #expect(queue.removeAll() == ["a", "b"])
        #expect(queue.isEmpty)
        #expect(queue.oldestDeadline == nil)
        queue.append("c", pipelineLength: 2, deadline: soon)
        _ = queue.receive(.integer(7))
        guard case .all("c", let values) = queue.receive(.integer(8)) else { Issue.record("c"); return }
        #expect(values == [.integer(7), .integer(8)])
    }
}
