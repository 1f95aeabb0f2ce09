import BookingCore
import BookingCoreDoubles
import Testing

@Suite("Lists and reads")
struct ReadTests {
    /// Follows `next` to the end, checking that each page but the last is full.
    private func allPages(
        _ fixture: BookingFixture, userID: String, status: Booking.Status?, limit: Int
    ) async throws -> [[Booking]] {
        var pages: [[Booking]] = []
        var position: PagePosition?
        repeat {
            let page = try await fixture.service.bookings(userID: userID, status: status, limit: limit, after: position, by: .trusted(isAdmin: false))
            pages.append(page.items)
            if page.next != nil { #expect(page.items.count == limit) }
            position = page.next
        } while position != nil
        return pages
    }

    @Test func userBookingsAreListedNewestFirstAcrossPages() async throws {
        let fixture = BookingFixture()
        var booked: [Booking] = []
        for index in 1...5 {
            let eventID = try await fixture.makeEvent(seats: 3, name: "Show \(index)")
            booked.append(try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false)))
        }
        _ = try await fixture.service.cancel(bookingID: booked[1].id, userID: "alice", by: .trusted(isAdmin: false))
        _ = try await fixture.service.reserve(ReservationRequest(eventID: booked[0].eventID, userID: "bob", seatNumber: nil), by: .trusted(isAdmin: false))

        let pages = try await allPages(fixture, userID: "alice", status: nil, limit: 2)
        #expect(pages.map(\.count) == [2, 2, 1])
        #expect(pages.joined().map(\.id) == booked.reversed().map(\.id))
        #expect(pages.joined().map(\.eventName) == ["Show 5", "Show 4", "Show 3", "Show 2", "Show 1"])

        // An exact multiple of the limit ends with `next` nil on the last full page.
        let exact = try await allPages(fixture, userID: "alice", status: nil, limit: 5)
        #expect(exact.map(\.count) == [5])
        let confirmed = try await allPages(fixture, userID: "alice", status: .confirmed, limit: 2)
        #expect(confirmed.joined().map(\.id) == [booked[4], booked[3], booked[2], booked[0]].map(\.id))
        let cancelled = try await allPages(fixture, userID: "alice", status: .cancelled, limit: 2)
        #expect(cancelled.joined().map(\.id) == [booked[1].id])
        #expect(cancelled.joined().first?.status == .cancelled)
        let unknown = try await fixture.service.bookings(userID: "nobody", status: nil, limit: 10, after: nil, by: .trusted(isAdmin: false))
        #expect(unknown.items.isEmpty && unknown.next == nil)
    }

    @Test func bookingsWithTheSameTimestampAreOrderedByIDDescending() async throws {
        let fixture = BookingFixture()
        fixture.store.setClockStep(0)
        var ids: [Int64] = []
        for _ in 1...4 {
            let eventID = try await fixture.makeEvent(seats: 1)
            ids.append(try await fixture.service.reserve(ReservationRequest(eventID: eventID, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false)).id)
        }

        let pages = try await allPages(fixture, userID: "alice", status: nil, limit: 3)

        #expect(pages.joined().map(\.id) == ids.reversed())
    }

    @Test func eventsAreListedNewestFirstWithLiveAvailability() async throws {
        let fixture = BookingFixture()
        let first = try await fixture.makeEvent(seats: 2, name: "First")
        _ = try await fixture.makeEvent(seats: 3, name: "Second")
        _ = try await fixture.service.reserve(ReservationRequest(eventID: first, userID: "alice", seatNumber: nil), by: .trusted(isAdmin: false))

        let page = try await fixture.service.events(limit: 1, after: nil)
        let rest = try await fixture.service.events(limit: 1, after: page.next)

        #expect(page.items.map(\.name) == ["Second"])
        #expect(rest.items.map(\.name) == ["First"] && rest.next == nil)
        #expect(rest.items.first?.availableSeats == 1)
        await #expect(throws: ReservationError.eventNotFound) { try await fixture.service.event(id: 999) }
    }

    @Test func readsWithTheStoreDownAreStoreUnavailable() async throws {
        let fixture = BookingFixture()
        fixture.store.isDown = true

        await #expect(throws: ReservationError.storeUnavailable) { try await fixture.service.booking(id: 1, by: .trusted(isAdmin: false)) }
        await #expect(throws: ReservationError.storeUnavailable) { try await fixture.service.event(id: 1) }
        await #expect(throws: ReservationError.storeUnavailable) { try await fixture.service.events(limit: 5, after: nil) }
        await #expect(throws: ReservationError.storeUnavailable) {
            try await fixture.service.bookings(userID: "alice", status: nil, limit: 5, after: nil, by: .trusted(isAdmin: false))
        }
        await #expect(throws: ReservationError.storeUnavailable) {
            try await fixture.service.createEvent(name: "Concert", totalSeats: 10)
        }
    }
}
