import BookingCore
import BookingCoreDoubles
import Postgres
import Testing

@testable import BookingServer

/// ``IdempotencyStore``'s contract, on ``InMemoryIdempotencyStore`` and on
/// ``PostgresIdempotencyStore`` over the real PostgreSQL.
@Suite("IdempotencyStore contract")
struct IdempotencyStoreContractTests {
    /// A store, and a way to make one user's claims look some seconds older.
    private func withStore(
        _ implementation: Implementation,
        _ body: (any IdempotencyStore, _ age: (_ user: String, _ seconds: Int) async throws -> Void) async throws -> Void
    ) async throws {
        switch implementation {
        case .inMemory:
            let store = InMemoryIdempotencyStore()
            try await body(store) { _, seconds in store.age(by: .seconds(seconds)) }
        case .real:
            try await RealServers.withPostgres { client in
                try await body(PostgresIdempotencyStore(client: client)) { user, seconds in
                    _ = try await client.query(PostgresQuery(
                        "UPDATE idempotency_keys SET created_at = created_at - make_interval(secs => $2) WHERE user_id = $1",
                        binds: [.init(user), .init(seconds)]
                    ))
                }
            }
        }
    }

    private let booking = Booking(
        id: 41, eventID: 7, userID: "", seatNumber: 3, status: .confirmed, createdAt: 1_795_428_000_123_456
    )

    @Test(arguments: Implementation.allCases)
    func theFirstClaimWinsAndLaterOnesSeeItInFlight(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store, _) async throws in
            let user = Unique.user()
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .claimed)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .inFlight)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "other") == .reused)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aRecordedBookingIsFinishedWithEveryField(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store, _) async throws in
            let user = Unique.user()
            var booked = booking
            booked.userID = user
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .claimed)
            try await store.record(.reserved(booked), userID: user, key: "k")
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .finished(.reserved(booked)))
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "g") == .reused)
        }
    }

    @Test(arguments: Implementation.allCases, [ReservationError.alreadyBooked, .soldOut, .seatTaken])
    func aRecordedRefusalIsFinished(_ implementation: Implementation, refusal: ReservationError) async throws {
        try await withStore(implementation) { (store, _) async throws in
            let user = Unique.user()
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .claimed)
            try await store.record(.refused(refusal), userID: user, key: "k")
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .finished(.refused(refusal)))
        }
    }

    @Test(arguments: Implementation.allCases)
    func aReleasedClaimIsFreeButARecordedOneStays(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store, _) async throws in
            let user = Unique.user()
            #expect(try await store.claim(userID: user, key: "released", fingerprint: "f") == .claimed)
            try await store.release(userID: user, key: "released")
            #expect(try await store.claim(userID: user, key: "released", fingerprint: "other") == .claimed)

            #expect(try await store.claim(userID: user, key: "kept", fingerprint: "f") == .claimed)
            try await store.record(.refused(.soldOut), userID: user, key: "kept")
            try await store.release(userID: user, key: "kept")
            #expect(try await store.claim(userID: user, key: "kept", fingerprint: "f") == .finished(.refused(.soldOut)))
        }
    }

    @Test(arguments: Implementation.allCases)
    func keysAreScopedToTheUserByTheBytesOfTheirID(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store, _) async throws in
            let suffix = Unique.user("")
            #expect(try await store.claim(userID: "\u{E9}" + suffix, key: "k", fingerprint: "f") == .claimed)
            #expect(try await store.claim(userID: "e\u{301}" + suffix, key: "k", fingerprint: "other") == .claimed)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aClaimOlderThanADayIsTakenOver(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store, age) async throws in
            let user = Unique.user()
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .claimed)
            try await store.record(.refused(.soldOut), userID: user, key: "k")
            try await age(user, 3600)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .finished(.refused(.soldOut)))
            try await age(user, 24 * 3600)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "other") == .claimed)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "other") == .inFlight)
        }
    }

    @Test(arguments: Implementation.allCases)
    func aClaimLeftWithoutAnOutcomeForThirtySecondsIsTakenOver(_ implementation: Implementation) async throws {
        try await withStore(implementation) { (store, age) async throws in
            let user = Unique.user()
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .claimed)
            try await age(user, 20)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .inFlight)
            try await age(user, 11)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .claimed)
            #expect(try await store.claim(userID: user, key: "k", fingerprint: "f") == .inFlight)
        }
    }
}
