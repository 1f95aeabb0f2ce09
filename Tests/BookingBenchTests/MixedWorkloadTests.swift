import NIOCore
import Testing

@testable import BookingBench

@Suite struct MixedWorkloadTests {
    func answer(_ status: Int, _ body: String) -> BenchResponse {
        BenchResponse(status: status, body: ByteBuffer(string: body))
    }

    @Test func reservesWithFreeUsersOnlyThenFallsBackToLists() throws {
        let workload = MixedWorkload(eventID: 3, blend: try Blend(parsing: "reserve=1"), users: .trusting(prefix: "u-", count: 2), seed: 1)
        let first = workload.request(number: 0)
        let second = workload.request(number: 1)
        #expect(first.operation == .reserve && second.operation == .reserve)
        #expect(Set([first.user, second.user]) == [0, 1])
        #expect(first.body == #"{"event_id":3,"user_id":"u-\#(first.user)"}"#)
        // Both users have a request in flight: nobody is free to reserve.
        #expect(workload.request(number: 2).operation == .list)
    }

    @Test func aSoldOutUserIsFreeAgainAndAWinnerCanCancelItsOwnBooking() throws {
        let workload = MixedWorkload(eventID: 3, blend: try Blend(parsing: "reserve=1,cancel=1000000"), users: .trusting(prefix: "u-", count: 2), seed: 7)
        let won = workload.request(number: 0)
        let lost = workload.request(number: 1)
        #expect(workload.judge(answer(201, #"{"success":true,"booking":{"id":41,"event_id":3}}"#), to: won)
            == Outcome(label: "201", expected: true))
        #expect(workload.judge(answer(409, #"{"success":false,"code":"SOLD_OUT","error":"x"}"#), to: lost)
            == Outcome(label: "409 SOLD_OUT", expected: true))
        // Cancel is all but certain to be drawn, and only the winner holds a booking.
        let cancel = workload.request(number: 2)
        #expect(cancel.operation == .cancel)
        #expect(cancel.uri == "/api/bookings/41")
        #expect(cancel.body == #"{"user_id":"u-\#(won.user)"}"#)
        #expect(workload.judge(answer(200, "{}"), to: cancel) == Outcome(label: "200", expected: true))
    }

    @Test func answersOutsideTheScenarioAreUnexpected() throws {
        let workload = MixedWorkload(eventID: 3, blend: try Blend(parsing: "reserve=1"), users: .trusting(prefix: "u-", count: 1), seed: 1)
        let request = workload.request(number: 0)
        #expect(workload.judge(answer(409, #"{"code":"ALREADY_BOOKED"}"#), to: request).expected == false)
        #expect(workload.judge(answer(503, #"{"code":"UNAVAILABLE"}"#), to: request) == Outcome(label: "503", expected: false))
    }
}
