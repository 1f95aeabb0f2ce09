import Testing

@testable import BookingBench

@Suite struct EventFactsTests {
    /// A clean flash sale: 100 seats sold, 10 of them cancelled and rebooked.
    static let clean = EventFacts(
        eventID: 7, totalSeats: 100, confirmed: 100, distinctUsers: 100, distinctSeats: 100, seatsOutOfRange: 0,
        cancelled: 10, unsentOutbox: 0, notifications: .init(confirmed: 110, cancelled: 10),
        apiTotalSeats: 100, apiBookedSeats: 100, apiAvailableSeats: 0, expectedConfirmed: 100
    )

    func failedChecks(_ facts: EventFacts) -> [String] {
        facts.checks().filter { !$0.passed }.map(\.name)
    }

    @Test func aCleanRunPassesEveryCheck() {
        #expect(failedChecks(Self.clean).isEmpty)
        #expect(Self.clean.checks().count == 9)
        #expect(Self.clean.isSettled)
    }

    @Test func overbookingFails() {
        var facts = Self.clean
        (facts.confirmed, facts.distinctUsers, facts.distinctSeats) = (101, 101, 101)
        facts.expectedConfirmed = 101
        (facts.apiBookedSeats, facts.apiAvailableSeats) = (101, -1)
        facts.notifications?.confirmed = 111
        #expect(failedChecks(facts) == ["event 7: confirmed bookings ≤ total seats"])
    }

    /// A run that lost answers (a node killed): every 201 must be in PostgreSQL, and at most the
    /// requests of unknown outcome beside them.
    @Test(arguments: [(95, true), (100, true), (94, false), (101, false)])
    func withLostAnswersTheBookingsLieWithinWhatTheAnswersAllow(confirmed: Int, passes: Bool) {
        var facts = Self.clean
        (facts.confirmed, facts.distinctUsers, facts.distinctSeats, facts.cancelled) = (confirmed, confirmed, confirmed, 0)
        (facts.apiBookedSeats, facts.apiAvailableSeats) = (confirmed, 100 - confirmed)
        facts.notifications = .init(confirmed: confirmed)
        facts.expectedConfirmed = nil
        facts.confirmedBounds = 95...100
        let name = "event 7: every 201 is in PostgreSQL, and no more than the unanswered requests beside them"
        if confirmed <= 100 {
            #expect(failedChecks(facts) == (passes ? [] : [name]))
        } else {
            #expect(failedChecks(facts).contains(name))
        }
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
        behind.notifications?.confirmed = 109
        #expect(!behind.isSettled)
        #expect(failedChecks(behind) == ["event 7: one notification per booking change"])

        var twice = Self.clean
        twice.notifications?.cancelled = 11
        #expect(twice.isSettled)
        #expect(failedChecks(twice) == ["event 7: one notification per booking change"])
    }

    @Test func notificationsAreNotCheckedWithoutAWorker() {
        var facts = Self.clean
        facts.notifications = nil
        #expect(facts.checks().count == 8)
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

    /// A checkout: 100 seats, 90 held, 30 confirmed, 30 cancelled, 30 lapsed; then 40 reserves.
    static let checkout = EventFacts(
        eventID: 8, totalSeats: 100, confirmed: 70, distinctUsers: 70, distinctSeats: 70, seatsOutOfRange: 0,
        cancelled: 30, expired: 30, unsentOutbox: 0,
        notifications: .init(held: 90, confirmed: 70, cancelled: 30, expired: 30),
        apiTotalSeats: 100, apiBookedSeats: 70, apiAvailableSeats: 30, expectedConfirmed: 70,
        expectedChanges: .init(held: 90, confirmed: 70, cancelled: 30, expired: 30)
    )

    @Test func aCleanCheckoutPassesEveryCheck() {
        #expect(failedChecks(Self.checkout).isEmpty)
        #expect(Self.checkout.isSettled)
    }

    @Test func aHoldNotYetMovedIsWaitedForAndALostExpiryFails() {
        var lingering = Self.checkout
        (lingering.held, lingering.distinctUsers, lingering.distinctSeats, lingering.expired) = (1, 71, 71, 29)
        lingering.notifications?.expired = 29
        #expect(!lingering.isSettled)
        #expect(failedChecks(lingering) == [
            "event 8: no hold left", "event 8: PostgreSQL holds the changes the answers imply",
            "event 8: one notification per booking change",
        ])
        var missing = Self.checkout
        missing.notifications?.held = 89
        #expect(!missing.isSettled)
        #expect(failedChecks(missing) == ["event 8: one notification per booking change"])
    }
}
