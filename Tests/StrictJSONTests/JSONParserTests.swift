import Testing
@testable import StrictJSON

@Suite struct JSONParserTests {
    @Test func parsesAnObjectWithEveryKindOfValue() throws {
        let value = try JSONParser.parse(#" { "s": "x", "n": -1.5e+3, "t": true, "f": false, "z": null, "a": [1, [], {}] } "#)
        #expect(value == [
            "s": "x",
            "n": .number(JSONNumber(literal: "-1.5e+3")!),
            "t": true,
            "f": false,
            "z": nil,
            "a": [1, [], [:]],
        ])
    }

    @Test(arguments: ["7", "7.0", "7e0", "-0", "0", "0.5", "1E+2", "-12.25e-7"])
    func numbersKeepTheirLiteralText(literal: String) throws {
        let value = try JSONParser.parse(literal)
        #expect(value == .number(JSONNumber(literal: literal)!))
        guard case .number(let number) = value else { Issue.record("not a number"); return }
        #expect(number.literal == literal)
    }

    @Test func sevenAndSevenPointZeroAreDifferentNumbers() throws {
        #expect(try JSONParser.parse("7") != JSONParser.parse("7.0"))
        #expect(try JSONParser.parse("7") != JSONParser.parse("7e0"))
    }

    @Test func hugeNumbersAreKeptAsLiterals() throws {
        let huge = "123456789012345678901234567890123456789"
        #expect(try JSONParser.parse("[\(huge)]") == .array([.number(JSONNumber(literal: huge)!)]))
        let tiny = "1e-999999"
        #expect(try JSONParser.parse(tiny) == .number(JSONNumber(literal: tiny)!))
    }

    @Test func anyValueIsAcceptedAtTheTopLevel() throws {
        #expect(try JSONParser.parse("\"x\"") == "x")
        #expect(try JSONParser.parse("null") == nil)
        #expect(try JSONParser.parse("[]") == [])
        #expect(try JSONParser.parse(" \t\r\n42\n ") == 42)
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        #expect(try JSONParser.parse(#"{"a": 1, "a": 2}"#) == ["a": 2])
    }

    @Test func surrogatePairEscapeBecomesOneScalar() throws {
        #expect(try JSONParser.parse(#""\ud83c\udf9f""#) == "🎟")
        #expect(try JSONParser.parse(#""\uD83C\uDF9F""#) == "🎟")
    }

    @Test func everySimpleEscapeDecodes() throws {
        #expect(try JSONParser.parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC""#) == "\"\\/\u{08}\u{0C}\n\r\tAé€")
    }

    @Test func escapedNULIsAllowedInJSON() throws {
        #expect(try JSONParser.parse(#""a\u0000b""#) == "a\u{0}b")
    }

    @Test func rawNonASCIITextIsKeptByteForByte() throws {
        let text = "Zoë 🎟 \u{200B} ключ 日本"
        #expect(try JSONParser.parse("\"\(text)\"") == .string(text))
        guard case .string(let parsed) = try JSONParser.parse("\"\(text)\"") else { return }
        #expect(Array(parsed.utf8) == Array(text.utf8))
    }

    @Test func stringsMixingEscapesAndUTF8Decode() throws {
        #expect(try JSONParser.parse(#""Zoë\n🎟\"é""#) == "Zoë\n🎟\"é")
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let value = try JSONParser.parse(nested(depth: JSONParser.defaultMaxDepth))
        var depth = 0
        var current = value
        while case .array(let elements) = current {
            depth += 1
            guard let first = elements.first else { break }
            current = first
        }
        #expect(depth == JSONParser.defaultMaxDepth)
    }

    @Test func nestingBeyondTheLimitIsRejected() {
        #expect(parseFailure(nested(depth: JSONParser.defaultMaxDepth + 1)) == .tooDeep)
        #expect(parseFailure(String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65)) == .tooDeep)
        #expect(parseFailure(String(repeating: "[", count: 100_000)) == .tooDeep)
    }

    @Test func customDepthLimitApplies() throws {
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[[1]]", maxDepth: 1) }
        #expect(try JSONParser.parse("[1]", maxDepth: 1) == [1])
    }

    @Test func parsesNonContiguousCollectionsAndRawBuffers() throws {
        let bytes = Array(#"{"a":[1]}"#.utf8)
        #expect(try JSONParser.parse(bytes.lazy.map { $0 }) == ["a": [1]])
        let fromRaw = try bytes.withUnsafeBytes { raw throws(JSONParseError) in try JSONParser.parse(raw) }
        #expect(fromRaw == ["a": [1]])
        #expect(try JSONParser.parse(bytes[bytes.startIndex...]) == ["a": [1]])
    }

    @Test func subscriptReadsObjectMembersOnly() throws {
        let value = try JSONParser.parse(#"{"event_id": 1}"#)
        #expect(value["event_id"] == 1)
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([1])["event_id"] == nil)
    }

    @Test func numberIntegerAccessors() {
        #expect(JSONNumber(literal: "42")?.int64Value == 42)
        #expect(JSONNumber(literal: "-42")?.int64Value == -42)
        #expect(JSONNumber(literal: "7.0")?.int64Value == nil)
        #expect(JSONNumber(literal: "7e0")?.int64Value == nil)
        #expect(JSONNumber(literal: "99999999999999999999")?.int64Value == nil)
        #expect(JSONNumber(literal: "007") == nil)
        #expect(JSONNumber(literal: "+7") == nil)
        #expect(JSONNumber(literal: ".5") == nil)
        #expect(JSONNumber(literal: "7 ") == nil)
    }
}
