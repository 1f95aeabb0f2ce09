import BookingCore
import Logging
import Postgres

/// The seat changes PostgreSQL announces (migration 9: channel `booking_seats`, one notification
/// per statement and event, at commit, in commit order), heard on one connection of its own:
/// the instance's one subscription. When the connection breaks it connects again, with a growing
/// pause, and says ``SeatFeedEvent/lost`` once it listens again.
struct PostgresSeatFeed: SeatChangeFeed {
    static let channel = "booking_seats"

    let configuration: PostgresConfiguration
    let logger: Logger

    func events() -> AsyncStream<SeatFeedEvent> {
        let (stream, continuation) = AsyncStream<SeatFeedEvent>.makeStream()
        let task = Task { [configuration, logger] in
            var listenedBefore = false
            var failures = 0
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, logger: logger)
                    defer { connection.close() }
                    try await connection.execute(script: "LISTEN \(Self.channel)")
                    continuation.yield(listenedBefore ? .lost : .listening)
                    listenedBefore = true
                    failures = 0
                    while true {
                        for notification in try await connection.notifications() where notification.channel == Self.channel {
                            if let change = Self.change(notification.payload) {
                                continuation.yield(.changed(change))
                            } else {
                                logger.warning("a seat notification that does not parse", metadata: ["payload": "\(notification.payload.prefix(120))"])
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    failures += 1
                    logger.warning("the seat feed lost PostgreSQL; listening again", metadata: ["error": "\(error)", "attempt": "\(failures)"])
                    try? await Task.sleep(for: .milliseconds(min(2_000, 50 << min(failures, 6))))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// "EVENT VERSION SEAT:STATE[:HOLD_END] ..." or "EVENT VERSION resync".
    static func change(_ payload: String) -> SeatChange? {
        let words = payload.split(separator: " ", omittingEmptySubsequences: true)
        guard words.count >= 3, let eventID = Int64(words[0]), let version = Int64(words[1]) else { return nil }
        if words.count == 3, words[2] == "resync" { return SeatChange(eventID: eventID, version: version, seats: nil) }
        var seats: [SeatChange.Seat] = []
        seats.reserveCapacity(words.count - 2)
        for word in words.dropFirst(2) {
            let parts = word.split(separator: ":")
            guard parts.count >= 2, let seat = Int(parts[0]), seat >= 1 else { return nil }
            switch (parts[1], parts.count) {
            case ("0", 2): seats.append(.init(seatNumber: seat, state: .free))
            case ("2", 2): seats.append(.init(seatNumber: seat, state: .taken))
            case ("1", 3):
                guard let end = Int64(parts[2]) else { return nil }
                seats.append(.init(seatNumber: seat, state: .held, holdEnd: end))
            default: return nil
            }
        }
        return SeatChange(eventID: eventID, version: version, seats: seats)
    }
}
