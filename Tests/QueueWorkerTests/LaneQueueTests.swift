import Testing

@testable import QueueWorker

@Suite("Lane queue")
struct LaneQueueTests {
    @Test func whatPiledUpComesOutAsOneBatchInOrderUpToTheLimit() async {
        let queue = LaneQueue<Int>()
        for item in 1...5 { queue.push(item) }
        #expect(await queue.next(limit: 3) == [1, 2, 3])
        #expect(await queue.next(limit: 3) == [4, 5])
    }

    @Test func aWaitingLaneWakesForTheNextItemAndEndsWhenFinished() async {
        let queue = LaneQueue<Int>()
        async let first = queue.next(limit: 10)
        queue.push(7)
        #expect(await first == [7])
        queue.push(8)
        queue.finish()
        #expect(await queue.next(limit: 10) == [8], "items pushed before finish are still handed out")
        #expect(await queue.next(limit: 10) == nil)
    }
}
