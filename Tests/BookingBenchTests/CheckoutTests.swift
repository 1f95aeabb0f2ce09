import NIOCore
import Testing

@testable import BookingBench

@Suite struct CheckoutTests {
    @Test func sharesAreParsedAndSpreadEvenlyOverTheHolders() throws {
        let shares = try CheckoutCommand.parseShares("confirm=34,cancel=33,lapse=33")
        #expect(shares == (34, 33, 33))
        let settled = (0..<1000).map { CheckoutCommand.settlement(of: $0, shares: shares) }
        #expect(settled.filter { $0 == .confirm }.count == 340)
        #expect(settled.filter { $0 == .cancel }.count == 330)
        #expect(settled.filter { $0 == nil }.count == 330)
        #expect(try CheckoutCommand.parseShares("confirm=1") == (1, 0, 0))
    }

    @Test(arguments: ["", "confirm", "confirm=x", "pay=1", "confirm=0,cancel=0", "confirm=-1"])
    func badSharesAreRefused(_ text: String) {
        #expect(throws: (any Error).self) { try CheckoutCommand.parseShares(text) }
    }

    @Test func theHoldPhaseKeepsEachGrantedHoldsIDAndTheSettlePhaseActsAsItsUser() {
        let users = UserIdentities.trusting(prefix: "u-", count: 3)
        let granted = GrantedHolds()
        let holds = CheckoutHoldWorkload(eventID: 9, users: users, holdSeconds: 5, granted: granted)
        let request = holds.request(number: 2)
        #expect(request.uri == "/api/bookings/hold")
        #expect(request.body == #"{"event_id":9,"user_id":"u-2","hold_seconds":5}"#)
        let answer = BenchResponse(status: 201, body: ByteBuffer(string: #"{"success":true,"booking":{"id":41,"status":"held"}}"#))
        #expect(holds.judge(answer, to: request).expected)
        #expect(holds.judge(BenchResponse(status: 409, body: ByteBuffer(string: #"{"code":"SOLD_OUT"}"#)), to: holds.request(number: 1)).expected)
        #expect(granted.all.map(\.bookingID) == [41])
        #expect(granted.all.map(\.user) == [2])

        let settle = CheckoutSettleWorkload(users: users, plan: [(user: 2, bookingID: 41, settlement: .confirm), (user: 0, bookingID: 7, settlement: .cancel)])
        let confirm = settle.request(number: 0)
        #expect(confirm.uri == "/api/bookings/41/confirm")
        #expect(confirm.body == #"{"user_id":"u-2"}"#)
        let cancel = settle.request(number: 1)
        #expect(cancel.method == .DELETE)
        #expect(cancel.uri == "/api/bookings/7")
    }
}
