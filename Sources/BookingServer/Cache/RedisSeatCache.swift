import BookingCore
import Redis

/// ``SeatCache`` in Redis, one script per operation (``SeatScripts``): each call is one round
/// trip, and a script runs atomically, so concurrent requests on any number of servers see
/// each event's seats change one step at a time.
struct RedisSeatCache: SeatCache {
    let client: RedisClient
    /// Long enough for any reservation to commit; short enough that a crashed server's lock
    /// does not keep its user waiting long.
    var lockTimeToLive: Duration = .seconds(5)
    /// Holders per staging call when an event is loaded, so one script never runs for long.
    var loadChunk = 5_000
    /// How long a load is trusted before it is read again from PostgreSQL.
    var loadLifetime: Duration = .seconds(600)

    /// The keys of one event, all under its hash tag.
    struct Keys {
        let meta, seats, users, holds, holders: RedisArgument
        let tag: String

        init(_ eventID: Int64) {
            tag = "{evt:\(eventID)}"
            meta = .string(tag + ":meta")
            seats = .string(tag + ":seats")
            users = .string(tag + ":users")
            holds = .string(tag + ":holds")
            holders = .string(tag + ":holders")
        }

        func lock(_ userID: String) -> RedisArgument { .string(tag + ":lock:" + userID) }
    }

    func allocate(eventID: Int64, userID: String, seatNumber: Int?, lockToken: String) async throws -> SeatAllocation {
        let keys = Keys(eventID)
        let reply = try await client.evaluate(
            SeatScripts.allocate,
            keys: [keys.meta, keys.seats, keys.users, keys.lock(userID), keys.holds, keys.holders],
            arguments: [
                .string(userID), .string(lockToken), .integer(Int(lockTimeToLive.components.seconds * 1000)),
                .integer(seatNumber ?? 0),
            ]
        )
        let parts = try reply.expectArray()
        let number = parts.count > 1 ? parts[1].int.map(Int.init) : nil
        switch parts.first?.string {
        case "OK":
            guard let number else { throw UnexpectedReply(reply: reply) }
            return .allocated(seatNumber: number)
        case "COLD": return .cold
        case "LOCKED": return .locked
        case "ALREADY_BOOKED": return .alreadyBooked
        case "SOLD_OUT": return .soldOut
        case "SEAT_TAKEN": return .seatTaken
        case "OUT_OF_RANGE":
            guard let number else { throw UnexpectedReply(reply: reply) }
            return .seatOutOfRange(totalSeats: number)
        default:
            throw UnexpectedReply(reply: reply)
        }
    }

    /// A script answered something it never answers: the cache is treated as failed.
    struct UnexpectedReply: Error, CustomStringConvertible {
        let reply: RedisValue
        var description: String { "unexpected reply from a seat script: \(reply)" }
    }

    func load(eventID: Int64, state: SeatState) async throws {
        let keys = Keys(eventID)
        // Staging keys of this loader alone: loaders racing for one event never mix their writes.
        let loader = String(UInt64.random(in: .min ... .max), radix: 36)
        let staging = ["seats", "users", "holds", "holders"].map { RedisArgument.string(keys.tag + ":load:" + loader + ":" + $0) }
        var start = 0
        while start < state.holders.count {
            let chunk = state.holders[start..<min(start + loadChunk, state.holders.count)]
            var arguments: [RedisArgument] = []
            arguments.reserveCapacity(chunk.count * 3)
            for holder in chunk {
                arguments.append(.string(holder.userID))
                arguments.append(.integer(holder.seatNumber))
                arguments.append(.integer(holder.holdEnds.map(Self.milliseconds) ?? 0))
            }
            _ = try await client.evaluate(SeatScripts.stage, keys: staging, arguments: arguments)
            start += loadChunk
        }
        _ = try await client.evaluate(
            SeatScripts.publish,
            keys: [keys.meta, keys.seats, keys.users, keys.holds, keys.holders] + staging,
            arguments: [
                .integer(state.totalSeats), .integer(state.holders.count),
                .integer(Int(loadLifetime.components.seconds * 1000)),
            ]
        )
    }

    /// A hold's end (µs since 1970, PostgreSQL's) in whole ms, rounded up: Redis frees a seat at
    /// its end or up to 1 ms after it, never before PostgreSQL would let it be taken.
    static func milliseconds(_ microseconds: Int64) -> Int {
        Int((microseconds + 999).quotientAndRemainder(dividingBy: 1000).quotient)
    }

    func confirm(eventID: Int64, userID: String, seatNumber: Int, lockToken: String, holdEnds: Int64?) async throws {
        let keys = Keys(eventID)
        _ = try await client.evaluate(
            SeatScripts.confirm,
            keys: [keys.meta, keys.users, keys.lock(userID), keys.holds, keys.holders],
            arguments: [.string(userID), .integer(seatNumber), .string(lockToken), .integer(holdEnds.map(Self.milliseconds) ?? 0)]
        )
    }

    func confirmHold(eventID: Int64, userID: String, seatNumber: Int) async throws {
        let keys = Keys(eventID)
        _ = try await client.evaluate(
            SeatScripts.confirmHold, keys: [keys.holds, keys.holders], arguments: [.string(userID), .integer(seatNumber)]
        )
    }

    func expire(eventID: Int64, userID: String, seatNumber: Int) async throws {
        let keys = Keys(eventID)
        _ = try await client.evaluate(
            SeatScripts.expire,
            keys: [keys.meta, keys.seats, keys.users, keys.holds, keys.holders],
            arguments: [.string(userID), .integer(seatNumber)]
        )
    }

    func abandon(
        eventID: Int64, userID: String, seatNumber: Int, lockToken: String,
        seatHeldElsewhere: Bool, userHoldsAnother: Bool
    ) async throws {
        let keys = Keys(eventID)
        _ = try await client.evaluate(
            SeatScripts.abandon,
            keys: [keys.meta, keys.seats, keys.users, keys.lock(userID)],
            arguments: [
                .string(userID), .integer(seatNumber), .string(lockToken),
                .integer(seatHeldElsewhere ? 1 : 0), .integer(userHoldsAnother ? 1 : 0),
            ]
        )
    }

    func invalidate(eventID: Int64) async throws {
        let keys = Keys(eventID)
        _ = try await client.send(RedisCommand(arguments: ["DEL", keys.meta, keys.seats, keys.users, keys.holds, keys.holders]))
    }

    func release(eventID: Int64, userID: String, seatNumber: Int) async throws {
        let keys = Keys(eventID)
        _ = try await client.evaluate(
            SeatScripts.release,
            keys: [keys.meta, keys.seats, keys.users, keys.holds, keys.holders],
            arguments: [.string(userID), .integer(seatNumber)]
        )
    }
}
