import Foundation
import Postgres

/// Checks a run's events against PostgreSQL and the API once the load has stopped, waiting up to
/// the drain timeout for the outbox relay (and the worker) to catch up.
struct RunVerifier: Sendable {
    var databaseURL: String
    var drainTimeout: Duration
    var checksNotifications: Bool

    /// An event of the run and the confirmed bookings its answers imply, when they are exact; for
    /// a checkout, every status change they imply.
    struct Target: Sendable {
        var eventID: Int
        var expectedConfirmed: Int?
        var expectedChanges: EventFacts.Changes? = nil
        /// When `expectedConfirmed` is nil: the range the answers still imply.
        var confirmedBounds: ClosedRange<Int>? = nil
    }

    func verify(_ targets: [Target], api: APIClient) async throws -> [RunSummary.Check] {
        let client = PostgresClient(configuration: try PostgresConfiguration(
            url: databaseURL, applicationName: "booking-bench", pool: .init(maximumConnections: 1)
        ))
        defer { client.close() }
        let clock = ContinuousClock()
        let deadline = clock.now + drainTimeout
        var checks: [RunSummary.Check] = []
        for target in targets {
            var facts = try await gather(target, from: client, api: api)
            while !facts.isSettled, clock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
                facts = try await gather(target, from: client, api: api)
            }
            if !facts.isSettled {
                ProgressLine.note("event \(target.eventID) not settled after the drain timeout")
            }
            checks += facts.checks()
        }
        return checks
    }

    private func gather(_ target: Target, from client: PostgresClient, api: APIClient) async throws -> EventFacts {
        let id = PostgresBind(target.eventID)
        let seatsRows = try await client.query(PostgresQuery(VerificationSQL.totalSeats, binds: [id]))
        guard let seatsRow = seatsRows.first else {
            throw VerificationError(description: "event \(target.eventID) is not in PostgreSQL at \(databaseURL)")
        }
        let totalSeats: Int = try seatsRow.decode(0)
        let confirmed = try await client.query(PostgresQuery(VerificationSQL.confirmedBookings, binds: [id, PostgresBind(totalSeats)]))[0]
        let cancelled = try await client.query(PostgresQuery(VerificationSQL.cancelledBookings, binds: [id]))[0]
        let unsent = try await client.query(PostgresQuery(VerificationSQL.unsentOutbox, binds: [id]))[0]
        var notifications: EventFacts.Changes?
        if checksNotifications {
            let row = try await client.query(PostgresQuery(VerificationSQL.notifications, binds: [id]))[0]
            notifications = .init(held: try row.decode(0), confirmed: try row.decode(1), cancelled: try row.decode(2), expired: try row.decode(3))
        }
        let seats = try await api.seatCounts(ofEvent: target.eventID)
        let rows: Int = try confirmed.decode(0)
        let confirmedCount: Int = try confirmed.decode(4)
        return EventFacts(
            eventID: target.eventID, totalSeats: totalSeats,
            confirmed: confirmedCount, held: rows - confirmedCount, distinctUsers: try confirmed.decode(1),
            distinctSeats: try confirmed.decode(2), seatsOutOfRange: try confirmed.decode(3),
            cancelled: try cancelled.decode(0), expired: try cancelled.decode(1), unsentOutbox: try unsent.decode(0),
            notifications: notifications,
            apiTotalSeats: seats.total, apiBookedSeats: seats.booked, apiHeldSeats: seats.held, apiAvailableSeats: seats.available,
            expectedConfirmed: target.expectedConfirmed, expectedChanges: target.expectedChanges,
            confirmedBounds: target.expectedConfirmed == nil ? target.confirmedBounds : nil
        )
    }
}

struct VerificationError: Error, CustomStringConvertible {
    let description: String
}
