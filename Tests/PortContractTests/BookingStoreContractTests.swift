import BookingCore
import BookingCoreDoubles
import Testing

@testable import BookingServer

/// ``BookingStore``'s contract, on ``InMemoryBookingStore`` and on ``PostgresBookingStore``
/// over the real PostgreSQL: the constraints' answers, their order, history and paging.
@Suite("BookingStore contract")
struct BookingStoreContractTests {
    private func withStore(_ implementation: Implementation, _ body: (any BookingStore) async throws -> Void) async throws {
        try await implementation.withBookingStore(body)
    }

    @Test(arguments: Implementation.allCases)
    func aNewEventHasItsSeatsFreeAndIsFoundById(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Zoë 🎟 live", totalSeats: 3)
            #expect(event.name == "Zoë 🎟 live")
            #expect(event.totalSeats == 3)
            #expect(event.bookedSeats == 0)
            #expect(try await store.event(id: event.id) == event)
            #expect(try await store.seatState(eventID: event.id) == SeatState(totalSeats: 3, holders: []))
        }
    }

    @Test(arguments: Implementation.allCases)
    func anUnknownEventIsNilAndRefusesBookings(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let unknown = Unique.eventID()
            let event = try await store.event(id: unknown)
            let state = try await store.seatState(eventID: unknown)
            #expect(event == nil)
            #expect(state == nil)
            #expect(await outcome { try await store.insertBooking(eventID: unknown, userID: Unique.user(), seatNumber: 1) } == .eventNotFound)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: unknown, userID: Unique.user(), seatNumber: nil) } == .eventNotFound)
        }
    }

    @Test(arguments: Implementation.allCases)
    func anInsertedBookingIsConfirmedCountedAndHeld(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Concert", totalSeats: 3)
            let user = Unique.user()
            let booking = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 2)
            #expect(booking.eventID == event.id)
            #expect(booking.userID == user)
            #expect(booking.seatNumber == 2)
            #expect(booking.status == .confirmed)
            #expect(booking.cancelledAt == nil)
            #expect(try await store.booking(id: booking.id) == booking)
            #expect(try await store.event(id: event.id)?.bookedSeats == 1)
            let state = try #require(try await store.seatState(eventID: event.id))
            #expect(state == SeatState(totalSeats: 3, holders: [(userID: user, seatNumber: 2, holdEnds: nil)]))
        }
    }

    @Test(arguments: Implementation.allCases)
    func theConstraintsAnswerInOrderUserFirst(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Concert", totalSeats: 2)
            let holder = Unique.user()
            _ = try await store.insertBooking(eventID: event.id, userID: holder, seatNumber: 1)
            #expect(await outcome { try await store.insertBooking(eventID: event.id, userID: holder, seatNumber: 2) } == .alreadyBooked)
            #expect(await outcome { try await store.insertBooking(eventID: event.id, userID: holder, seatNumber: 1) } == .alreadyBooked)
            #expect(await outcome { try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 1) } == .seatTaken)
            #expect(await outcome { try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 3) }
                == .seatOutOfRange(totalSeats: 2))
            #expect(try await store.event(id: event.id)?.bookedSeats == 1)
        }
    }

    /// Inserts that arrive together (the adapter writes them as groups) each hear their own
    /// constraint's answer: neighbours in a group never share one.
    @Test(arguments: Implementation.allCases)
    func concurrentInsertsEachHearTheirOwnAnswer(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Rush", totalSeats: 10)
            let users = (0..<40).map { Unique.user("rush\($0)") }
            // Seats 1…12 of 10, three or four askers each; the first user asks twice.
            var asks = users.enumerated().map { (user: $0.element, seat: $0.offset % 12 + 1) }
            asks.append((user: users[0], seat: 5))
            let answers = await withTaskGroup(of: (Int, Result<Booking, ReservationError>).self) { tasks in
                for (index, ask) in asks.enumerated() {
                    tasks.addTask {
                        do {
                            return (index, .success(try await store.insertBooking(eventID: event.id, userID: ask.user, seatNumber: ask.seat)))
                        } catch let error as ReservationError {
                            return (index, .failure(error))
                        } catch {
                            Issue.record("not an answer of the booking rules: \(error)")
                            return (index, .failure(.internalFailure))
                        }
                    }
                }
                var answers: [Int: Result<Booking, ReservationError>] = [:]
                for await (index, answer) in tasks { answers[index] = answer }
                return answers
            }
            var booked: [Booking] = []
            for (index, ask) in asks.enumerated() {
                switch answers[index] {
                case .success(let booking):
                    #expect(booking.userID == ask.user && booking.seatNumber == ask.seat && booking.eventID == event.id)
                    booked.append(booking)
                case .failure(let refusal) where ask.seat > 10:
                    #expect(refusal == .seatOutOfRange(totalSeats: 10), "seat \(ask.seat): \(refusal)")
                case .failure(let refusal) where ask.user == users[0]:
                    #expect(refusal == .seatTaken || refusal == .alreadyBooked, "the user who asked twice: \(refusal)")
                case .failure(let refusal):
                    #expect(refusal == .seatTaken, "seat \(ask.seat): \(refusal)")
                case nil:
                    Issue.record("no answer for ask \(index)")
                }
            }
            #expect(booked.count == 10, "every seat in range was asked for: \(booked.count) booked")
            #expect(Set(booked.map(\.seatNumber)) == Set(1...10))
            #expect(Set(booked.map(\.userID)).count == booked.count)
            #expect(Set(booked.map(\.id)).count == booked.count)
            let state = try #require(try await store.seatState(eventID: event.id))
            #expect(state.holders.count == 10)
            #expect(Set(state.holders.map { "\($0.userID)#\($0.seatNumber)" }) == Set(booked.map { "\($0.userID)#\($0.seatNumber)" }))
            for booking in booked { #expect(try await store.booking(id: booking.id) == booking) }
        }
    }

    @Test(arguments: Implementation.allCases)
    func withoutTheCacheTheFirstFreeSeatIsBookedUntilSoldOut(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Concert", totalSeats: 3)
            _ = try await store.insertBooking(eventID: event.id, userID: Unique.user(), seatNumber: 1)
            let second = try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: nil)
            #expect(second.seatNumber == 2)
            let asked = try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: 3)
            #expect(asked.seatNumber == 3)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: nil) } == .soldOut)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: event.id, userID: second.userID, seatNumber: nil) } == .alreadyBooked)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: 2) } == .seatTaken)
            #expect(await outcome { try await store.reserveWithoutCache(eventID: event.id, userID: Unique.user(), seatNumber: 9) }
                == .seatOutOfRange(totalSeats: 3))
        }
    }

    @Test(arguments: Implementation.allCases)
    func aCancelledBookingIsHistoryAndFreesItsSeatAndUser(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Concert", totalSeats: 1)
            let user = Unique.user()
            let booking = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1)
            let cancelled = try await store.cancelBooking(id: booking.id, userID: user)
            #expect(cancelled.id == booking.id)
            #expect(cancelled.status == .cancelled)
            #expect(cancelled.createdAt == booking.createdAt)
            #expect(try #require(cancelled.cancelledAt) >= booking.createdAt)
            #expect(try await store.booking(id: booking.id) == cancelled)
            #expect(try await store.event(id: event.id)?.bookedSeats == 0)
            let again = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1)
            #expect(again.id != booking.id)
        }
    }

    @Test(arguments: Implementation.allCases)
    func cancelChecksExistenceThenOwnerThenState(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Concert", totalSeats: 1)
            let user = Unique.user()
            let booking = try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1)
            #expect(await outcome { try await store.cancelBooking(id: Unique.eventID(), userID: user) } == .bookingNotFound)
            #expect(await outcome { try await store.cancelBooking(id: booking.id, userID: Unique.user()) } == .notOwner)
            _ = try await store.cancelBooking(id: booking.id, userID: user)
            #expect(await outcome { try await store.cancelBooking(id: booking.id, userID: Unique.user()) } == .notOwner)
            #expect(await outcome { try await store.cancelBooking(id: booking.id, userID: user) } == .alreadyCancelled)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aUsersBookingsPageNewestFirstWithTheirEventNameAndStatusFilter(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let user = Unique.user()
            var made: [Booking] = []
            for index in 1...5 {
                let event = try await store.createEvent(name: "Event \(index)", totalSeats: 1)
                made.append(try await store.insertBooking(eventID: event.id, userID: user, seatNumber: 1))
            }
            _ = try await store.cancelBooking(id: made[1].id, userID: user)
            let first = try await store.bookings(userID: user, status: nil, limit: 2, after: nil)
            #expect(first.items.map(\.id) == [made[4].id, made[3].id])
            #expect(first.items.map(\.eventName) == ["Event 5", "Event 4"])
            let next = try #require(first.next)
            let second = try await store.bookings(userID: user, status: nil, limit: 2, after: next)
            #expect(second.items.map(\.id) == [made[2].id, made[1].id])
            let afterSecond = try #require(second.next as PagePosition?)
            let last = try await store.bookings(userID: user, status: nil, limit: 2, after: afterSecond)
            #expect(last.items.map(\.id) == [made[0].id])
            #expect(last.next == nil, "the last page says none remain")
            let cancelled = try await store.bookings(userID: user, status: .cancelled, limit: 10, after: nil)
            #expect(cancelled.items.map(\.id) == [made[1].id])
            #expect(cancelled.items.first?.status == .cancelled)
            let confirmed = try await store.bookings(userID: user, status: .confirmed, limit: 10, after: nil)
            #expect(confirmed.items.map(\.id) == [made[4].id, made[3].id, made[2].id, made[0].id])
            #expect(try await store.bookings(userID: Unique.user(), status: nil, limit: 10, after: nil).items.isEmpty)
        }
    }

    @Test(arguments: Implementation.allCases)
    func userIDsAreComparedByTheirBytes(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store) async throws in
            let event = try await store.createEvent(name: "Concert", totalSeats: 2)
            let suffix = Unique.user("")
            _ = try await store.insertBooking(eventID: event.id, userID: "\u{E9}" + suffix, seatNumber: 1)
            let decomposed = try await store.insertBooking(eventID: event.id, userID: "e\u{301}" + suffix, seatNumber: 2)
            #expect(Array(decomposed.userID.utf8) == Array(("e\u{301}" + suffix).utf8))
        }
    }
}
