import BookingCore
import Postgres

/// ``BookingStore`` on PostgreSQL. Constraint violations become the domain's answers by
/// SQLSTATE and constraint name; any other failure to reach the database becomes
/// ``ReservationError/storeUnavailable``.
struct PostgresBookingStore: BookingStore {
    let client: PostgresClient
    /// Writes that reach the store together are written together (``GroupCommit``): new
    /// bookings, confirms of holds, cancels, each kind by its own statement over arrays.
    private let inserts: GroupCommit<NewBooking, Grouped<Booking>>
    private let confirms: GroupCommit<ChangeOfBooking, Grouped<Booking>>
    private let cancels: GroupCommit<ChangeOfBooking, Grouped<Booking>>

    /// How the store groups its writes: at most `maxGroup` in one statement, at most `writers`
    /// such statements of each kind at once (each on its own pooled connection). `maxGroup` 1
    /// writes each alone.
    struct Grouping: Sendable {
        var maxGroup = 64
        var writers = 8
    }

    init(client: PostgresClient, grouping: Grouping = Grouping(), metrics: StoreMetrics = StoreMetrics()) {
        self.client = client
        inserts = GroupCommit(maxGroup: grouping.maxGroup, maxWriters: grouping.writers, observe: metrics.groupWritten(.insert)) {
            [client] group in await Self.insert(group, client: client)
        }
        confirms = GroupCommit(maxGroup: grouping.maxGroup, maxWriters: grouping.writers, observe: metrics.groupWritten(.confirm)) {
            [client] group in await Self.change(group, BookingSQL.confirmGroup, client: client, Self.newBooking)
        }
        cancels = GroupCommit(maxGroup: grouping.maxGroup, maxWriters: grouping.writers, observe: metrics.groupWritten(.cancel)) {
            [client] group in await Self.change(group, BookingSQL.cancelGroup, client: client, Self.cancelledBooking)
        }
    }

    /// One booking asked of the group insert.
    struct NewBooking: Sendable {
        let eventID: Int64
        let userID: String
        let seatNumber: Int
        let holdSeconds: Int?
    }

    /// A confirm or a cancel of a booking by its user, asked of a group.
    struct ChangeOfBooking: Sendable {
        let id: Int64
        let userID: String
    }

    /// What a group's statement did with one of its items: wrote it, or left it to its request
    /// to write alone (a constraint refuses it, a lapsed hold is in its way, it is not there to
    /// change, or PostgreSQL refused the group as a whole), where its own answer is worked out.
    enum Grouped<Value: Sendable>: Sendable {
        case done(Value)
        case alone
    }

    func createEvent(name: String, totalSeats: Int) async throws -> Event {
        let rows = try await run(PostgresQuery(BookingSQL.createEvent, binds: [.init(name), .init(totalSeats)]))
        return try Self.event(rows[0])
    }

    func event(id: Int64) async throws -> Event? {
        let rows = try await run(PostgresQuery(BookingSQL.event, binds: [.init(id)]))
        return try rows.first.map(Self.event)
    }

    func events(limit: Int, after position: PagePosition?) async throws -> Page<Event> {
        let rows = try await run(PostgresQuery(BookingSQL.events, binds: [
            .init(limit + 1), PostgresBind(position?.createdAt), PostgresBind(position?.id),
        ]))
        return try Self.page(rows, limit: limit, Self.event) { PagePosition(createdAt: $0.createdAt, id: $0.id) }
    }

    func seatState(eventID: Int64) async throws -> SeatState? {
        let results = try await runPipeline([
            PostgresQuery(BookingSQL.totalSeats, binds: [.init(eventID)]),
            PostgresQuery(BookingSQL.seatHolders, binds: [.init(eventID)]),
        ])
        guard let total = results[0].first else { return nil }
        return SeatState(
            totalSeats: try total.decode(0, as: Int.self),
            holders: try results[1].map { row in
                (userID: try row.decode(0, as: String.self), seatNumber: try row.decode(1, as: Int.self),
                 holdEnds: try row.decode(2, as: Int64?.self))
            }
        )
    }

    func seatMap(eventID: Int64) async throws -> SeatMap? {
        let rows = try await runPipeline([PostgresQuery(BookingSQL.seatMap, binds: [.init(eventID)])])[0]
        guard let first = rows.first else { return nil }
        let total = try first.decode(0, as: Int.self)
        var map = SeatMap(
            eventID: eventID, totalSeats: total, version: try first.decode(1, as: Int64.self),
            states: [UInt8](repeating: SeatMapState.free.code, count: total), holdEnds: [:]
        )
        for row in rows {
            guard let seat = try row.decode(2, as: Int?.self), seat >= 1, seat <= total else { continue }
            if let end = try row.decode(3, as: Int64?.self) {
                map.states[seat - 1] = SeatMapState.held.code
                map.holdEnds[seat] = end
            } else {
                map.states[seat - 1] = SeatMapState.taken.code
            }
        }
        return map
    }

    func insertBooking(eventID: Int64, userID: String, seatNumber: Int, holdSeconds: Int?) async throws -> Booking {
        let asked = NewBooking(eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: holdSeconds)
        switch try await inserts.submit(asked) {
        case .done(let booking): return booking
        case .alone: return try await insertAlone(asked)
        }
    }

    /// A group's bookings in one statement. A booking the statement left out, or every booking
    /// of a group PostgreSQL refused as a whole, is tried alone by its own request.
    private static func insert(_ group: [NewBooking], client: PostgresClient) async -> [Result<Grouped<Booking>, any Error>] {
        await grouped(group, PostgresQuery(BookingSQL.insertGroup, binds: [
            PostgresBind(array: group.map(\.eventID)), PostgresBind(array: group.map(\.userID)),
            PostgresBind(array: group.map { Optional($0.seatNumber) }), PostgresBind(array: group.map(\.holdSeconds)),
        ]), client: client, decode: newBooking) { asked in
            BookingKey(eventID: asked.eventID, userID: asked.userID, seatNumber: asked.seatNumber)
        } keyOfDone: { booking in
            BookingKey(eventID: booking.eventID, userID: booking.userID, seatNumber: booking.seatNumber)
        }
    }

    /// A group of confirms or cancels in one statement ($1 ids, $2 their users).
    private static func change(
        _ group: [ChangeOfBooking], _ sql: String, client: PostgresClient, _ decode: @escaping @Sendable (PostgresRow) throws -> Booking
    ) async -> [Result<Grouped<Booking>, any Error>] {
        await grouped(group, PostgresQuery(sql, binds: [
            PostgresBind(array: group.map(\.id)), PostgresBind(array: group.map(\.userID)),
        ]), client: client, decode: decode) { asked in
            BookingKey(eventID: asked.id, userID: asked.userID, seatNumber: 0)
        } keyOfDone: { booking in
            BookingKey(eventID: booking.id, userID: booking.userID, seatNumber: 0)
        }
    }

    /// Runs a group's statement and gives each item the row written for it: the first item of a
    /// key gets the key's row, any other item is alone. A group PostgreSQL refused (its statement
    /// rolled back) is alone item by item; a group whose answer was lost with the connection is
    /// unavailable to each, since it may have committed.
    private static func grouped<Item>(
        _ group: [Item], _ query: PostgresQuery, client: PostgresClient, decode: (PostgresRow) throws -> Booking,
        keyOfItem: (Item) -> BookingKey, keyOfDone: (Booking) -> BookingKey
    ) async -> [Result<Grouped<Booking>, any Error>] {
        let rows: PostgresQueryResult
        do {
            rows = try await client.query(query)
        } catch let error as PostgresError where error.kind == .server {
            return group.map { _ in .success(.alone) }
        } catch {
            let unavailable = Self.unavailable(error)
            return group.map { _ in .failure(unavailable) }
        }
        var written: [BookingKey: Booking] = [:]
        written.reserveCapacity(rows.count)
        do {
            for row in rows {
                let booking = try decode(row)
                written[keyOfDone(booking)] = booking
            }
        } catch {
            return group.map { _ in .failure(error) }
        }
        return group.map { item in
            guard let booking = written.removeValue(forKey: keyOfItem(item)) else { return .success(.alone) }
            return .success(.done(booking))
        }
    }

    /// An item's identity within a group (an insert's event, user and seat; a change's booking id
    /// and user); user ids compared by their bytes.
    private struct BookingKey: Hashable {
        let eventID: Int64
        let userID: [UInt8]
        let seatNumber: Int

        init(eventID: Int64, userID: String, seatNumber: Int) {
            self.eventID = eventID
            self.userID = Array(userID.utf8)
            self.seatNumber = seatNumber
        }
    }

    /// The insert of one booking, with the lapsed hold in its way moved first when it meets one,
    /// and the constraint that refuses it as its answer.
    private func insertAlone(_ asked: NewBooking) async throws -> Booking {
        let (eventID, userID, seatNumber, holdSeconds) = (asked.eventID, asked.userID, asked.seatNumber, asked.holdSeconds)
        let insert = holdSeconds.map { seconds in
            PostgresQuery(BookingSQL.insertHold, binds: [.init(eventID), .init(userID), .init(seatNumber), .init(seconds)])
        } ?? PostgresQuery(BookingSQL.insertBooking, binds: [.init(eventID), .init(userID), .init(seatNumber)])
        do {
            return try Self.newBooking(try await client.query(insert)[0])
        } catch let error as PostgresError where error.sqlState == .uniqueViolation {
            // A lapsed hold may be what is in the way: moved to history in the transaction of a
            // second try of the insert (one round trip). Only on a conflict, so a booking that
            // meets none costs the one statement.
            do {
                let results = try await client.pipeline([
                    PostgresQuery(BookingSQL.expireLapsedInTheWay, binds: [.init(eventID), .init(userID), .init(seatNumber)]),
                    insert,
                ])
                return try Self.newBooking(results[1][0])
            } catch {
                throw try await conflict(error, eventID: eventID, userID: userID)
            }
        } catch {
            throw try await conflict(error, eventID: eventID, userID: userID)
        }
    }

    func reserveWithoutCache(eventID: Int64, userID: String, seatNumber: Int?, holdSeconds: Int?) async throws -> Booking {
        var attempt = 0
        while true {
            do {
                return try await reserveWithoutCacheOnce(
                    eventID: eventID, userID: userID, seatNumber: seatNumber, holdSeconds: holdSeconds,
                    skipping: Self.freeSeatsSkipped(attempt: attempt)
                )
            } catch ReservationError.seatTaken where seatNumber == nil && attempt < Self.freeSeatRetries {
                // The free seat went meanwhile to an insert of the cached path (another instance,
                // whose Redis serves the event): another free one is tried. A user who asked for
                // no seat hears SEAT_TAKEN only when every try met a seat in flight.
                attempt += 1
            }
        }
    }

    /// How many more free seats a reserve without Redis tries when one was taken under it.
    static let freeSeatRetries = 5

    /// Free seats a reserve without Redis skips on its attempt `attempt` (0 first): none at first
    /// (the lowest free seat), then a random number below 16, 32, 64... The cached path inserts
    /// the lowest free seats, several at once in a group, and PostgreSQL shows none of them until
    /// they commit: while Redis serves the event on other instances, the lowest free seat is often
    /// one they are inserting, and the next lowest the one after it (a chaos run that killed a
    /// Redis primary saw 4 requests of 6,000 answered SEAT_TAKEN after five of those in a row).
    /// A seat further up is rarely in flight.
    static func freeSeatsSkipped(attempt: Int) -> Int {
        attempt == 0 ? 0 : Int.random(in: 0..<(8 << min(attempt, 7)))
    }

    private func reserveWithoutCacheOnce(
        eventID: Int64, userID: String, seatNumber: Int?, holdSeconds: Int?, skipping skipped: Int
    ) async throws -> Booking {
        let results: [PostgresQueryResult]
        do {
            // One round trip, one transaction: the event's lock of this path, the event's lapsed
            // holds moved to history, then the insert.
            results = try await client.pipeline([
                PostgresQuery(BookingSQL.lockEvent, binds: [.init(eventID)]),
                PostgresQuery(BookingSQL.expireLapsedOfEvent, binds: [.init(eventID)]),
                PostgresQuery(BookingSQL.insertFirstFreeSeat, binds: [
                    .init(eventID), .init(userID), PostgresBind(seatNumber), PostgresBind(holdSeconds), .init(skipped),
                ]),
            ])
        } catch {
            throw try await conflict(error, eventID: eventID, userID: userID)
        }
        guard let total = results[0].first.map({ try? $0.decode(0, as: Int.self) }) ?? nil else {
            throw ReservationError.eventNotFound
        }
        if let seatNumber, seatNumber > total { throw ReservationError.seatOutOfRange(totalSeats: total) }
        guard let row = results[2].first else {
            // No free seat. A user who already holds one hears that first.
            if try await userHoldsBooking(eventID: eventID, userID: userID) { throw ReservationError.alreadyBooked }
            throw ReservationError.soldOut
        }
        return try Self.newBooking(row)
    }

    func confirmHold(id: Int64, userID: String) async throws -> Booking {
        if case .done(let booking) = try await confirms.submit(ChangeOfBooking(id: id, userID: userID)) { return booking }
        let rows = try await run(PostgresQuery(BookingSQL.confirmHold, binds: [.init(id), .init(userID)]))
        if let row = rows.first { return try Self.newBooking(row) }
        // Existence first, then ownership, then state; a booking confirmed already is answered again.
        let status = try await status(of: id, userID: userID)
        switch status {
        case .confirmed:
            guard let booking = try await booking(id: id), booking.status == .confirmed else { throw ReservationError.holdExpired }
            return booking
        case .cancelled: throw ReservationError.alreadyCancelled
        case .expired: throw ReservationError.holdExpired
        case .held:
            // Its end passed between the two statements; judged again, it is expired.
            throw ReservationError.holdExpired
        }
    }

    func cancelBooking(id: Int64, userID: String) async throws -> Booking {
        if case .done(let booking) = try await cancels.submit(ChangeOfBooking(id: id, userID: userID)) { return booking }
        let rows = try await run(PostgresQuery(BookingSQL.cancelBooking, binds: [.init(id), .init(userID)]))
        if let row = rows.first { return try Self.cancelledBooking(row) }
        switch try await status(of: id, userID: userID) {
        case .expired: throw ReservationError.holdExpired
        default: throw ReservationError.alreadyCancelled
        }
    }

    func expireLapsedHolds(limit: Int) async throws -> [LapsedHold] {
        let rows = try await run(PostgresQuery(BookingSQL.expireBatch, binds: [.init(limit)]))
        return try rows.map { row in
            LapsedHold(eventID: try row.decode(0), userID: try row.decode(1), seatNumber: try row.decode(2))
        }
    }

    func booking(id: Int64) async throws -> Booking? {
        let rows = try await run(PostgresQuery(BookingSQL.booking, binds: [.init(id)]))
        return try rows.first.map { row in
            Booking(
                id: try row.decode(0), eventID: try row.decode(1), userID: try row.decode(2),
                seatNumber: try row.decode(3), status: try Self.status(row.decode(4, as: String.self)),
                createdAt: try row.decode(5), cancelledAt: try row.decode(6), expiresAt: try row.decode(7)
            )
        }
    }

    func bookings(
        userID: String, status: Booking.Status?, limit: Int, after position: PagePosition?
    ) async throws -> Page<Booking> {
        var binds: [PostgresBind] = [.init(userID), .init(limit + 1)]
        if let position { binds += [.init(position.createdAt), .init(position.id)] }
        let sql = BookingSQL.bookingsOfUser(status, paged: position != nil)
        let rows = try await run(PostgresQuery(sql, binds: binds))
        return try Self.page(rows, limit: limit, { row in
            Booking(
                id: try row.decode(0), eventID: try row.decode(1), userID: try row.decode(2),
                seatNumber: try row.decode(3), status: try Self.status(row.decode(4, as: String.self)),
                createdAt: try row.decode(5), cancelledAt: try row.decode(6), expiresAt: try row.decode(8),
                eventName: try row.decode(7)
            )
        }) { PagePosition(createdAt: $0.createdAt, id: $0.id) }
    }

    // MARK: - Helpers

    /// A booking that a cancel or a confirm did not change, by existence, then ownership: its
    /// status now.
    private func status(of id: Int64, userID: String) async throws -> Booking.Status {
        let owners = try await run(PostgresQuery(BookingSQL.bookingOwner, binds: [.init(id)]))
        guard let owner = owners.first else { throw ReservationError.bookingNotFound }
        guard try owner.decode(0, as: String.self).utf8.elementsEqual(userID.utf8) else { throw ReservationError.notOwner }
        return try Self.status(owner.decode(1, as: String.self))
    }

    private static func status(_ text: String) throws -> Booking.Status {
        guard let status = Booking.Status(rawValue: text) else { throw ReservationError.internalFailure }
        return status
    }

    private func userHoldsBooking(eventID: Int64, userID: String) async throws -> Bool {
        try await !run(PostgresQuery(BookingSQL.userHoldsBooking, binds: [.init(eventID), .init(userID)])).isEmpty
    }

    /// The domain's answer for a failed insert: which constraint said no. A seat conflict of a
    /// user who also holds a booking is answered as already booked (that answer wins).
    private func conflict(_ error: any Error, eventID: Int64, userID: String) async throws -> any Error {
        guard let error = error as? PostgresError, error.kind == .server else { return Self.unavailable(error) }
        switch (error.sqlState, error.constraint) {
        case (.uniqueViolation, "bookings_event_user_key"):
            return ReservationError.alreadyBooked
        case (.uniqueViolation, "bookings_event_seat_key"):
            return try await userHoldsBooking(eventID: eventID, userID: userID)
                ? ReservationError.alreadyBooked : ReservationError.seatTaken
        case (.foreignKeyViolation, "bookings_event_exists"):
            return ReservationError.eventNotFound
        case (.checkViolation, "bookings_seat_in_range"):
            let rows = try await run(PostgresQuery(BookingSQL.totalSeats, binds: [.init(eventID)]))
            return ReservationError.seatOutOfRange(totalSeats: try rows.first?.decode(0, as: Int.self) ?? 0)
        default:
            return Self.unavailable(error)
        }
    }

    private func run(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        do {
            return try await client.query(query)
        } catch {
            throw Self.unavailable(error)
        }
    }

    private func runPipeline(_ queries: [PostgresQuery]) async throws -> [PostgresQueryResult] {
        do {
            return try await client.pipeline(queries)
        } catch {
            throw Self.unavailable(error)
        }
    }

    /// The server's own errors (a bug of ours) stay as they are; failing to reach it is the
    /// store being unavailable.
    private static func unavailable(_ error: any Error) -> any Error {
        if let error = error as? PostgresError, error.kind == .server || error.kind == .invalidParameter {
            // Contention PostgreSQL ended by rolling the transaction back (a deadlock still there
            // after the client's retries, a serialization failure): nothing of it took effect, and
            // the request may be sent again. A 503 with Retry-After says so; a 500 would not.
            if error.sqlState == .deadlockDetected || error.sqlState == .serializationFailure {
                return ReservationError.storeUnavailable
            }
            return error
        }
        return ReservationError.storeUnavailable
    }

    private static func event(_ row: PostgresRow) throws -> Event {
        Event(
            id: try row.decode(0), name: try row.decode(1), totalSeats: try row.decode(2),
            bookedSeats: try row.decode(3), heldSeats: try row.decode(5), createdAt: try row.decode(4)
        )
    }

    /// A row of a cancel statement: id, event, user, seat, created_at, cancelled_at.
    private static func cancelledBooking(_ row: PostgresRow) throws -> Booking {
        Booking(
            id: try row.decode(0), eventID: try row.decode(1), userID: try row.decode(2),
            seatNumber: try row.decode(3), status: .cancelled, createdAt: try row.decode(4),
            cancelledAt: try row.decode(5)
        )
    }

    /// A row of a booking statement: id, event, user, seat, created_at and, for a hold, expires_at.
    private static func newBooking(_ row: PostgresRow) throws -> Booking {
        let expiresAt: Int64? = row.columnCount > 5 ? try row.decode(5) : nil
        return Booking(
            id: try row.decode(0), eventID: try row.decode(1), userID: try row.decode(2),
            seatNumber: try row.decode(3), status: expiresAt == nil ? .confirmed : .held, createdAt: try row.decode(4),
            expiresAt: expiresAt
        )
    }

    /// Rows were asked for `limit + 1`: the extra one only says that more remain.
    private static func page<Item>(
        _ rows: PostgresQueryResult, limit: Int, _ item: (PostgresRow) throws -> Item,
        position: (Item) -> PagePosition
    ) throws -> Page<Item> {
        let items = try rows.prefix(limit).map(item)
        return Page(items: items, next: rows.count > limit ? items.last.map(position) : nil)
    }
}
