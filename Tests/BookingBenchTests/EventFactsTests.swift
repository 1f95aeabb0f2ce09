import Testing

@testable import BookingBench

@Suite struct EventFactsTests {
    /// A clean flash sale: 100 seats sold, 10 of them cancelled and rebooked.
    static let clean = EventFacts(
        eventID: 7, totalSeats: 100, confirmed: 100, distinctUsers: 100, distinctSeats: 100, seatsOutOfRange: 0,
        cancelled: 10, unsentOutbox: 0, confirmedNotifications: 110, cancelledNotifications: 10,
        apiTotalSeats: 100, apiBookedSeats: 100, apiAvailableSeats: 0, expectedConfirmed: 100
    )

    func failedChecks(_ facts: EventFacts) -> [String] {
        facts.checks().filter { !$0.passed }.map(\.name)
    }

    @Test func aCleanRunPassesEveryCheck() {
        #expect(failedChecks(Self.clean).isEmpty)
        #expect(Self.clean.checks().count == 8)
        #expect(Self.clean.isSettled)
    }

    @Test func overbookingFails() {
        var facts = Self.clean
        (facts.confirmed, facts.distinctUsers, facts.distinctSeats) = (101, 101, 101)
        facts.expectedConfirmed = 101
        (facts.apiBookedSeats, facts.apiAvailableSeats) = (101, -1)
        facts.confirmedNotifications = 111
        #expect(failedChecks(facts) == ["event 7: confirmed bookings ≤ total seats"])
    }

    @Test func aUserTwiceOrASeatTwiceFails() {
        var facts = Self.clean
        facts.distinctUsers = 99
        facts.distinctSeats = 98
        #expect(failedChecks(facts) == ["event 7: no user holds two seats", "event 7: no seat has two holders"])
    }

    @Test func anUndrainedOutboxFailsAndIsWorthWaitingFor() {
        var facts = Self.clean
        facts.unsentOutbox = 3
        #expect(failedChecks(facts) == ["event 7: outbox drained"])
        #expect(!facts.isSettled)
    }

    @Test func notificationsMustMatchEveryBookingChangeExactly() {
        var behind = Self.clean
        behind.confirmedNotifications = 109
        #expect(!behind.isSettled)
        #expect(failedChecks(behind) == ["event 7: one notification per booking change"])

        var twice = Self.clean
        twice.cancelledNotifications = 11
        #expect(twice.isSettled)
        #expect(failedChecks(twice) == ["event 7: one notification per booking change"])
    }

    @Test func notificationsAreNotCheckedWithoutAWorker() {
        var facts = Self.clean
        (facts.confirmedNotifications, facts.cancelledNotifications) = (nil, nil)
        #expect(facts.checks().count == 7)
        #expect(facts.isSettled)
    }

    @Test func theAPIMustAgreeWithPostgreSQL() {
        var facts = Self.clean
        facts.apiAvailableSeats = 1
        #expect(failedChecks(facts) == ["event 7: API seat counts agree with PostgreSQL"])
    }

    @Test func aCommittedBookingTheClientNeverHeardOfFails() {
        var facts = Self.clean
        facts.expectedConfirmed = 99
        #expect(failedChecks(facts) == ["event 7: confirmed bookings match the answers the run got"])
        facts.expectedConfirmed = nil
        #expect(failedChecks(facts).isEmpty)
    }
}
