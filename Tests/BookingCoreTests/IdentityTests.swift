import BookingCore
import BookingCoreDoubles
import Testing

/// The identity rules of ``Caller`` through the booking rules, on in-memory ports: whose
/// bookings a caller reserves, cancels and reads in each mode.
@Suite("Identity rules")
struct IdentityTests {
    private let alice = Caller.verified(subject: "alice", isAdmin: false)
    private let bob = Caller.verified(subject: "bob", isAdmin: false)
    private let admin = Caller.verified(subject: nil, isAdmin: true)
    private let gateway = Caller.trusted(isAdmin: false)

    private func reserve(_ fixture: BookingFixture, _ eventID: Int64, _ userID: String?, by caller: Caller) async -> Result<Booking, ReservationError> {
        do {
            return .success(try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: userID), by: caller))
        } catch {
            return .failure(error)
        }
    }

    @Test func theTrustingModeBooksForTheUserTheRequestNamesAndNeedsOne() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 2)
        #expect(await reserve(fixture, event, "carol", by: gateway).value?.userID == "carol")
        #expect(await reserve(fixture, event, nil, by: gateway).error == .userRequired)
    }

    @Test func aTokenBooksForItsSubjectWhetherTheRequestNamesItOrNot() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        let other = try await fixture.makeEvent(seats: 3)
        #expect(await reserve(fixture, event, nil, by: alice).value?.userID == "alice")
        #expect(await reserve(fixture, other, "alice", by: alice).value?.userID == "alice")
    }

    @Test func aTokenNamingAnotherUserIsForbiddenAndBooksNothing() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        #expect(await reserve(fixture, event, "bob", by: alice).error == .forbidden)
        // Compared by bytes: a canonically equivalent id is another user.
        let composed = Caller.verified(subject: "\u{E9}", isAdmin: false)
        #expect(await reserve(fixture, event, "e\u{301}", by: composed).error == .forbidden)
        #expect(fixture.store.calls(.insertBooking) == 0)
        #expect(fixture.cache.calls(.allocate) == 0)
    }

    @Test func anAdminTokenWithoutASubjectBooksForNobody() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        #expect(await reserve(fixture, event, nil, by: admin).error == .forbidden)
        #expect(await reserve(fixture, event, "alice", by: admin).error == .forbidden)
        let adminWithSubject = Caller.verified(subject: "ops", isAdmin: true)
        #expect(await reserve(fixture, event, nil, by: adminWithSubject).value?.userID == "ops")
    }

    @Test func anotherUsersBookingIsNotFoundAndTheirListForbidden() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        let booking = try #require(await reserve(fixture, event, nil, by: alice).value)
        await #expect(throws: ReservationError.bookingNotFound) { try await fixture.service.booking(id: booking.id, by: bob) }
        #expect(try await fixture.service.booking(id: booking.id, by: alice) == booking)
        #expect(try await fixture.service.booking(id: booking.id, by: admin) == booking)
        #expect(try await fixture.service.booking(id: booking.id, by: gateway) == booking)
        await #expect(throws: ReservationError.forbidden) {
            try await fixture.service.bookings(userID: "alice", status: nil, limit: 10, after: nil, by: bob)
        }
        #expect(try await fixture.service.bookings(userID: "alice", status: nil, limit: 10, after: nil, by: admin).items.count == 1)
        #expect(try await fixture.service.bookings(userID: "alice", status: nil, limit: 10, after: nil, by: alice).items.count == 1)
    }

    @Test func anotherUsersCancelIsNotTheirsOrForbidden() async throws {
        let fixture = BookingFixture()
        let event = try await fixture.makeEvent(seats: 3)
        let booking = try #require(await reserve(fixture, event, nil, by: alice).value)
        await #expect(throws: ReservationError.notOwner) {
            try await fixture.service.cancel(bookingID: booking.id, userID: nil, by: bob)
        }
        await #expect(throws: ReservationError.forbidden) {
            try await fixture.service.cancel(bookingID: booking.id, userID: "alice", by: bob)
        }
        #expect(try await fixture.service.cancel(bookingID: booking.id, userID: nil, by: alice).status == .cancelled)
    }

    @Test func onlyTheAdminCreatesEvents() throws {
        #expect(throws: AuthenticationFailure.notAdmin) { try alice.requireAdmin() }
        #expect(throws: AuthenticationFailure.notAdmin) { try gateway.requireAdmin() }
        try admin.requireAdmin()
        try Caller.trusted(isAdmin: true).requireAdmin()
    }
}
