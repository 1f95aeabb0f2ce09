import Foundation
import Postgres

/// Checks a run's events against PostgreSQL and the API once the load has stopped, waiting up to
/// the drain timeout for the outbox relay (and the worker) to catch up.
struct RunVerifier: Sendable {
    var databaseURL: String
    var drainTimeout: Duration
    var checksNotifications: Bool

    /// An event of the run and the confirmed bookings its answers imply, when they are exact.
    struct Target: Sendable {
        var eventID: Int
        var expectedConfirmed: Int?
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
        var notifications: (confirmed: Int, cancelled: Int)?
        if checksNotifications {
            let row = try await client.query(PostgresQuery(VerificationSQL.notifications, binds: [id]))[0]
            notifications = (try row.decode(0), try row.decode(1))
        }
        let seats = try await api.seatCounts(ofEvent: target.eventID)
        return EventFacts(
            eventID: target.eventID, totalSeats: totalSeats,
            confirmed: try confirmed.decode(0), distinctUsers: try confirmed.decode(1),
            distinctSeats: try confirmed.decode(2), seatsOutOfRange: try confirmed.decode(3),
            cancelled: try cancelled.decode(0), unsentOutbox: try unsent.decode(0),
            confirmedNotifications: notifications?.confirmed, cancelledNotifications: notifications?.cancelled,
            apiTotalSeats: seats.total, apiBookedSeats: seats.booked, apiAvailableSeats: seats.available,
            expectedConfirmed: target.expectedConfirmed
        )
    }
}

struct VerificationError: Error, CustomStringConvertible {
    let description: String
}
