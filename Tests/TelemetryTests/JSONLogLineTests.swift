import Foundation
import Logging
import Synchronization
import Telemetry
import Testing

/// The JSON log format: one object per line, fixed fields first, metadata flattened, and every
/// string escaped so that any message or value round-trips.
@Suite("JSON log lines")
struct JSONLogLineTests {
    /// 2026-11-23T10:00:00.123456Z.
    let now: Int64 = 1_795_428_000_123_456

    func decode(_ bytes: [UInt8]) throws -> [String: Any] {
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().contains(UInt8(ascii: "\n")) == false, "one line")
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func fixedFieldsComeFirstWithAnRFC3339MillisecondTimestamp() throws {
        let line = JSONLogLine.encode(microsecondsSinceEpoch: now, level: .warning, label: "booking", message: "hello", metadata: [:])
        #expect(String(decoding: line, as: UTF8.self)
            == #"{"timestamp":"2026-11-23T10:00:00.123Z","level":"warning","label":"booking","message":"hello"}"# + "\n")
    }

    @Test(arguments: [
        "quote \" and backslash \\", "new\nline and\ttab and \r return", "bell \u{07} and nul \u{00} and escape \u{1B}",
        "Zoë 🎟 \u{200B} \u{2028}", "{\"looks\": \"like json\"}",
    ])
    func anyTextRoundTrips(text: String) throws {
        let line = JSONLogLine.encode(
            microsecondsSinceEpoch: now, level: .error, label: text, message: text,
            metadata: ["value": .string(text), text: "as a key"]
        )
        let object = try decode(line)
        #expect(object["message"] as? String == text)
        #expect(object["label"] as? String == text)
        #expect(object["value"] as? String == text)
        #expect(object[text] as? String == "as a key")
    }

    @Test func metadataIsFlattenedAndNestedValuesStayNested() throws {
        let line = JSONLogLine.encode(microsecondsSinceEpoch: now, level: .info, label: "l", message: "m", metadata: [
            "hb.request.id": "abc",
            "count": .stringConvertible(42),
            "tags": ["a", "b"],
            "store": ["name": "postgres", "codes": ["08006"]],
        ])
        let object = try decode(line)
        #expect(object["hb.request.id"] as? String == "abc")
        #expect(object["count"] as? String == "42")
        #expect(object["tags"] as? [String] == ["a", "b"])
        let store = try #require(object["store"] as? [String: Any])
        #expect(store["name"] as? String == "postgres")
        #expect(store["codes"] as? [String] == ["08006"])
    }

    @Test func metadataNeverOverwritesAFixedField() throws {
        let line = JSONLogLine.encode(microsecondsSinceEpoch: now, level: .info, label: "l", message: "the message", metadata: [
            "message": "from metadata", "level": "fake",
        ])
        let object = try decode(line)
        #expect(object["message"] as? String == "the message")
        #expect(object["level"] as? String == "info")
        #expect(object["metadata.message"] as? String == "from metadata")
        #expect(object["metadata.level"] as? String == "fake")
    }

    @Test func theHandlerMergesMetadataAndHonoursItsLevel() throws {
        let lines = Mutex<[[UInt8]]>([])
        let clock: @Sendable () -> Int64 = { 1_795_428_000_123_456 }
        var logger = Logger(label: "worker") { label in
            JSONLogHandler(label: label, sink: { line in lines.withLock { $0.append(line) } }, clock: clock)
        }
        logger.logLevel = .notice
        logger[metadataKey: "request"] = "r-1"
        logger[metadataKey: "shadowed"] = "logger"
        logger.info("below the level")
        logger.notice("delivered", metadata: ["shadowed": "call", "attempt": "2"])

        let written = lines.withLock { $0 }
        try #require(written.count == 1)
        let object = try decode(written[0])
        #expect(object["timestamp"] as? String == "2026-11-23T10:00:00.123Z")
        #expect(object["level"] as? String == "notice")
        #expect(object["label"] as? String == "worker")
        #expect(object["message"] as? String == "delivered")
        #expect(object["request"] as? String == "r-1")
        #expect(object["shadowed"] as? String == "call", "the call's metadata wins")
        #expect(object["attempt"] as? String == "2")
    }

    @Test func theFormatComesFromLOG_FORMAT() throws {
        #expect(try LogFormat(environment: [:]) == .json)
        #expect(try LogFormat(environment: ["LOG_FORMAT": ""]) == .json)
        #expect(try LogFormat(environment: ["LOG_FORMAT": "TEXT"]) == .text)
        #expect(throws: LogFormat.Invalid.self) { try LogFormat(environment: ["LOG_FORMAT": "xml"]) }
    }
}
