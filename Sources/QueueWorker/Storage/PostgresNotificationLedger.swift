import BookingMessages
import Postgres

/// The notification ledger in PostgreSQL: every call is one statement, so one round trip and
/// one transaction.
struct PostgresNotificationLedger: NotificationLedger {
    let client: PostgresClient

    func record(_ message: BookingMessage, webhook: WebhookState) async throws -> LedgerEntry {
        let binds: [PostgresBind] = [
            .init(message.id), .init(message.kind.rawValue), .init(message.bookingID), .init(message.eventID),
            .init(message.userID), .init(message.seatNo), .init(message.occurredAt),
            .init(String(decoding: message.body, as: UTF8.self)), .init(webhook.rawValue),
        ]
        var rows = try await run(PostgresQuery(NotificationSQL.record, binds: binds))
        if rows.isEmpty {
            // Another copy of this message committed its row after this statement's snapshot.
            rows = try await run(PostgresQuery(NotificationSQL.known, binds: [.init(message.id)]))
        }
        guard !rows.isEmpty else { throw PostgresLedgerError("notification \(message.id) vanished after its insert") }
        let row = rows[0]
        let state: String = try row.decode(1)
        guard let webhook = WebhookState(rawValue: state) else {
            throw PostgresLedgerError("notification \(message.id) has an unknown webhook state \"\(state)\"")
        }
        return LedgerEntry(
            isNew: try row.decode(0), webhook: webhook, attempts: try row.decode(2), lastFailure: try row.decode(3)
        )
    }

    func recordAll(_ messages: [BookingMessage]) async throws -> Set<String> {
        var array: [UInt8] = [UInt8(ascii: "[")]
        array.reserveCapacity(messages.reduce(2) { $0 + $1.body.count + 1 })
        for (index, message) in messages.enumerated() {
            if index > 0 { array.append(UInt8(ascii: ",")) }
            array.append(contentsOf: message.body)
        }
        array.append(UInt8(ascii: "]"))
        let rows = try await run(PostgresQuery(NotificationSQL.recordAll, binds: [.init(String(decoding: array, as: UTF8.self))]))
        return Set(try rows.map { try $0.decode(0, as: String.self) })
    }

    func recordAttempt(of messageID: String, outcome: WebhookOutcome) async throws -> Int {
        let rows = try await run(PostgresQuery(NotificationSQL.recordAttempt, binds: [
            .init(messageID), .init(outcome.status), .init(outcome.error.map { String($0.prefix(500)) }),
            .init(outcome.isAccepted),
        ]))
        guard !rows.isEmpty else { throw PostgresLedgerError("no attempt recorded for \(messageID)") }
        return try rows[0].decode(0)
    }

    func markDeadLettered(_ messageID: String) async throws {
        _ = try await run(PostgresQuery(NotificationSQL.markDeadLettered, binds: [.init(messageID)]))
    }

    /// Values the database refuses (SQLSTATE class 22, data exception) will be refused again:
    /// reported as permanent. Everything else (connection lost, a concurrent attempt's key) is
    /// worth retrying.
    private func run(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        do {
            return try await client.query(query)
        } catch let error as PostgresError where error.sqlState?.errorClass == "22" || error.kind == .invalidParameter {
            throw PermanentLedgerError(reason: "the database refused the message: \(error)")
        }
    }
}

/// The ledger found the database in a state it cannot explain; retried like a lost connection.
struct PostgresLedgerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
