import Testing
@testable import AMQP

@Suite struct ConnectionTuningTests {
    @Test func lowerNonZeroLimitsWin() {
        let result = ConnectionTuning.negotiate(
            client: ConnectionTuning(channelMax: 0, frameMax: 131_072, heartbeat: 30),
            server: ConnectionTuning(channelMax: 2047, frameMax: 65_536, heartbeat: 60)
        )
        #expect(result == ConnectionTuning(channelMax: 2047, frameMax: 65_536, heartbeat: 30))
    }

    @Test func serverHeartbeatLowerThanOursWinsAndZeroFromUsDisables() {
        #expect(ConnectionTuning.negotiate(
            client: ConnectionTuning(channelMax: 10, frameMax: 4096, heartbeat: 30),
            server: ConnectionTuning(channelMax: 0, frameMax: 0, heartbeat: 10)
        ) == ConnectionTuning(channelMax: 10, frameMax: 4096, heartbeat: 10))
        #expect(ConnectionTuning.negotiate(
            client: ConnectionTuning(channelMax: 0, frameMax: 4096, heartbeat: 0),
            server: ConnectionTuning(channelMax: 0, frameMax: 0, heartbeat: 60)
        ).heartbeat == 0)
    }
}

@Suite struct FieldTableCodingTests {
    @Test func everyKindSurvivesTheWireFormat() {
        let table: [String: AMQPFieldValue] = [
            "x-queue-type": "quorum",
            "x-message-ttl": 60_000,
            "flag": true,
            "i8": .int8(-5), "u8": .uint8(200), "i16": .int16(-300), "u16": .uint16(60_000),
            "i32": .int32(-70_000), "u32": .uint32(4_000_000_000), "u64": .uint64(1 << 40),
            "f": .float(1.5), "d": .double(-2.25), "dec": .decimal(scale: 2, value: 12345),
            "bytes": .bytes([0, 255, 10]), "ts": .timestamp(1_700_000_000),
            "nested": .table(["reason": "rejected", "count": 1, "keys": .array(["a", "ü"])]),
            "empty-array": .array([]), "nothing": .void, "unicode": "Zürich 🎫",
        ]
        #expect(FieldTableCoding.roundTrip(table) == table)
    }

    @Test func accessorsReadNestedValues() {
        let death: AMQPFieldValue = .array([.table(["count": .int64(2), "reason": "rejected"])])
        let first = death.arrayValue?.first?.tableValue
        #expect(first?["reason"]?.stringValue == "rejected")
        #expect(first?["count"]?.int64Value == 2)
        #expect(AMQPFieldValue.string("x").int64Value == nil)
    }
}
