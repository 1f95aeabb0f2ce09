import Redis

/// The seat cache's Lua scripts, one per operation, each atomic in Redis. Keys of one event
/// share the hash tag `{evt:ID}`, so the same scripts run on Redis Cluster.
///
/// Per event: `meta` (hash: `total` seats, `free` seats), `seats` (bitmap: bit n-1 set when seat
/// n is taken), `users` (hash: user → seat), and `lock:USER` (the per-(event, user) lock: a
/// token with a time to live, released only by the request holding that token).
enum SeatScripts {
    /// KEYS: meta, seats, users, lock. ARGV: user, token, lock ttl (ms), asked seat (0: any).
    /// Answers {'OK', seat} or the reason: checks in the API's order (range, already booked,
    /// seat taken, sold out), and takes the lock only when a seat is about to be allocated.
    static let allocate = RedisScript("""
        local total = redis.call('HGET', KEYS[1], 'total')
        if not total then return {'COLD'} end
        total = tonumber(total)
        local asked = tonumber(ARGV[4])
        if asked > total then return {'OUT_OF_RANGE', total} end
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

    /// KEYS: meta, users, lock. ARGV: user, seat, token. After the commit: the user holds the
    /// seat; our lock goes. Nothing is written to an event the cache does not hold (flushed):
    /// the next load reads the commit from PostgreSQL.
    static let confirm = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
        if redis.call('GET', KEYS[3]) == ARGV[3] then redis.call('DEL', KEYS[3]) end
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

    /// KEYS: meta, seats, users. ARGV: user, seat. A cancelled booking's seat returns.
    static let release = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if redis.call('SETBIT', KEYS[2], ARGV[2] - 1, 0) == 1 then redis.call('HINCRBY', KEYS[1], 'free', 1) end
        redis.call('HDEL', KEYS[3], ARGV[1])
        return 1
        """)

    /// KEYS: staging seats, staging users. ARGV: user, seat, user, seat, ... One chunk of a
    /// load, written to keys of this loader's own.
    static let stage = RedisScript("""
        for i = 1, #ARGV, 2 do
            redis.call('SETBIT', KEYS[1], ARGV[i + 1] - 1, 1)
            redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
        end
        redis.call('PEXPIRE', KEYS[1], 60000)
        redis.call('PEXPIRE', KEYS[2], 60000)
        return 1
        """)

    /// KEYS: meta, seats, users, staging seats, staging users. ARGV: total seats, holders,
    /// lifetime (ms). Publishes a load unless another loader finished first (then drops this
    /// one's staging). The load expires: whatever an update failed to bring to the cache
    /// (Redis unreachable at that moment) is read again from PostgreSQL within the lifetime.
    static let publish = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 1 then
            redis.call('DEL', KEYS[4], KEYS[5])
            return 0
        end
        redis.call('DEL', KEYS[2], KEYS[3])
        if redis.call('EXISTS', KEYS[4]) == 1 then
            redis.call('PERSIST', KEYS[4])
            redis.call('RENAME', KEYS[4], KEYS[2])
        end
        if redis.call('EXISTS', KEYS[5]) == 1 then
            redis.call('PERSIST', KEYS[5])
            redis.call('RENAME', KEYS[5], KEYS[3])
        end
        redis.call('HSET', KEYS[1], 'total', ARGV[1], 'free', ARGV[1] - ARGV[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[3])
        return 1
        """)
}
