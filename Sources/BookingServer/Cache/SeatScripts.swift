import Redis

/// The seat cache's Lua scripts, one per operation, each atomic in Redis. Keys of one event
/// share the hash tag `{evt:ID}`, so the same scripts run on Redis Cluster.
///
/// Per event: `meta` (hash: `total` seats, `free` seats), `seats` (bitmap: bit n-1 set when seat
/// n is taken), `users` (hash: user → seat, for every live booking), `holds` (sorted set: the
/// seats of holds, scored by their end in ms since 1970), `holders` (hash: a held seat → its user),
/// and `lock:USER` (the per-(event, user) lock: a token with a time to live, released only by the
/// request holding that token).
enum SeatScripts {
    /// The Lua that frees, in the script that calls it, every hold whose end has come by Redis's
    /// clock (at most `limit` per call): its seat, its user, its record. `KEYS` as named.
    private static func sweep(meta: String, seats: String, users: String, holds: String, holders: String) -> String {
        """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        for _, seat in ipairs(redis.call('ZRANGEBYSCORE', \(holds), '-inf', now, 'LIMIT', 0, 200)) do
            local holder = redis.call('HGET', \(holders), seat)
            redis.call('ZREM', \(holds), seat)
            redis.call('HDEL', \(holders), seat)
            if holder and redis.call('HGET', \(users), holder) == seat then redis.call('HDEL', \(users), holder) end
            if redis.call('SETBIT', \(seats), seat - 1, 0) == 1 then redis.call('HINCRBY', \(meta), 'free', 1) end
        end
        """
    }

    /// KEYS: meta, seats, users, lock, holds, holders. ARGV: user, token, lock ttl (ms), asked
    /// seat (0: any). Answers {'OK', seat} or the reason: lapsed holds freed first, then the checks
    /// in the API's order (range, already booked, seat taken, sold out); the lock is taken only
    /// when a seat is about to be allocated.
    static let allocate = RedisScript("""
        local total = redis.call('HGET', KEYS[1], 'total')
        if not total then return {'COLD'} end
        total = tonumber(total)
        local asked = tonumber(ARGV[4])
        if asked > total then return {'OUT_OF_RANGE', total} end
        \(sweep(meta: "KEYS[1]", seats: "KEYS[2]", users: "KEYS[3]", holds: "KEYS[5]", holders: "KEYS[6]"))
        if redis.call('HEXISTS', KEYS[3], ARGV[1]) == 1 then return {'ALREADY_BOOKED'} end
        if asked > 0 then
            if redis.call('GETBIT', KEYS[2], asked - 1) == 1 then return {'SEAT_TAKEN'} end
        elseif tonumber(redis.call('HGET', KEYS[1], 'free')) <= 0 then
            return {'SOLD_OUT'}
        end
        if not redis.call('SET', KEYS[4], ARGV[2], 'NX', 'PX', ARGV[3]) then return {'LOCKED'} end
        local seat = asked
        if seat == 0 then
            seat = redis.call('BITPOS', KEYS[2], 0) + 1
            if seat < 1 or seat > total then
                redis.call('DEL', KEYS[4])
                return {'SOLD_OUT'}
            end
        end
        redis.call('SETBIT', KEYS[2], seat - 1, 1)
        redis.call('HINCRBY', KEYS[1], 'free', -1)
        return {'OK', seat}
        """)

    /// KEYS: meta, users, lock, holds, holders. ARGV: user, seat, token, the hold's end (ms since
    /// 1970; 0 for a confirmed booking). After the commit: the user holds the seat (until the end,
    /// for a hold); our lock goes. Nothing is written to an event the cache does not hold
    /// (flushed): the next load reads the commit from PostgreSQL.
    static let confirm = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 1 then
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            if ARGV[4] ~= '0' then
                redis.call('ZADD', KEYS[4], ARGV[4], ARGV[2])
                redis.call('HSET', KEYS[5], ARGV[2], ARGV[1])
            end
        end
        if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
        return 1
        """)

    /// KEYS: holds, holders. ARGV: user, seat. The user's hold of the seat is confirmed: it no
    /// longer ends.
    static let confirmHold = RedisScript("""
        if redis.call('HGET', KEYS[2], ARGV[2]) == ARGV[1] then
            redis.call('ZREM', KEYS[1], ARGV[2])
            redis.call('HDEL', KEYS[2], ARGV[2])
        end
        return 1
        """)

    /// KEYS: meta, seats, users, lock. ARGV: user, seat, token, seat held elsewhere (0/1),
    /// user holds another booking (0/1). The insert did not happen: the seat returns unless
    /// PostgreSQL says someone holds it; a user PostgreSQL knows as booked is recorded.
    static let abandon = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 1 then
            if ARGV[4] == '0' and redis.call('SETBIT', KEYS[2], ARGV[2] - 1, 0) == 1 then
                redis.call('HINCRBY', KEYS[1], 'free', 1)
            end
            if ARGV[5] == '1' then redis.call('HSET', KEYS[3], ARGV[1], '0') end
        end
        if redis.call('GET', KEYS[4]) == ARGV[3] then redis.call('DEL', KEYS[4]) end
        return 1
        """)

    /// KEYS: meta, seats, users, holds, holders. ARGV: user, seat. A cancelled booking's seat
    /// returns, with any record of its hold.
    static let release = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if redis.call('SETBIT', KEYS[2], ARGV[2] - 1, 0) == 1 then redis.call('HINCRBY', KEYS[1], 'free', 1) end
        redis.call('HDEL', KEYS[3], ARGV[1])
        if redis.call('HGET', KEYS[5], ARGV[2]) == ARGV[1] then
            redis.call('ZREM', KEYS[4], ARGV[2])
            redis.call('HDEL', KEYS[5], ARGV[2])
        end
        return 1
        """)

    /// KEYS: meta, seats, users, holds, holders. ARGV: user, seat. PostgreSQL moved the user's
    /// lapsed hold of the seat to history: freed here unless an allocation has freed it already
    /// (then the seat may be someone else's now, and stays as it is).
    static let expire = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if redis.call('HGET', KEYS[5], ARGV[2]) ~= ARGV[1] then return 0 end
        redis.call('ZREM', KEYS[4], ARGV[2])
        redis.call('HDEL', KEYS[5], ARGV[2])
        if redis.call('HGET', KEYS[3], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[3], ARGV[1]) end
        if redis.call('SETBIT', KEYS[2], ARGV[2] - 1, 0) == 1 then redis.call('HINCRBY', KEYS[1], 'free', 1) end
        return 1
        """)

    /// KEYS: staging seats, staging users, staging holds, staging holders. ARGV: user, seat, hold
    /// end (ms; 0 for confirmed), ... One chunk of a load, written to keys of this loader's own.
    static let stage = RedisScript("""
        for i = 1, #ARGV, 3 do
            redis.call('SETBIT', KEYS[1], ARGV[i + 1] - 1, 1)
            redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
            if ARGV[i + 2] ~= '0' then
                redis.call('ZADD', KEYS[3], ARGV[i + 2], ARGV[i + 1])
                redis.call('HSET', KEYS[4], ARGV[i + 1], ARGV[i])
            end
        end
        for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], 60000) end
        return 1
        """)

    /// KEYS: meta, seats, users, holds, holders, then the four staging keys in that order. ARGV:
    /// total seats, holders, lifetime (ms). Publishes a load unless another loader finished first
    /// (then drops this one's staging). The load expires: whatever an update failed to bring to
    /// the cache (Redis unreachable at that moment) is read again from PostgreSQL within the
    /// lifetime.
    static let publish = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 1 then
            redis.call('DEL', KEYS[6], KEYS[7], KEYS[8], KEYS[9])
            return 0
        end
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
        for i = 2, 5 do
            if redis.call('EXISTS', KEYS[i + 4]) == 1 then
                redis.call('PERSIST', KEYS[i + 4])
                redis.call('RENAME', KEYS[i + 4], KEYS[i])
            end
        end
        redis.call('HSET', KEYS[1], 'total', ARGV[1], 'free', ARGV[1] - ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """)
}
