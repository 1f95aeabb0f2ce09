import Testing
@testable import StrictJSON

/// JSONTestSuite-style inputs that a strict RFC 8259 parser must reject.
@Suite struct JSONParserRejectionTests {
    @Test(arguments: [
        ("[1,]", JSONParseError.Reason.unexpectedCharacter),
        (#"{"a":1,}"#, .unexpectedCharacter),
        ("[,1]", .unexpectedCharacter),
        ("[1 2]", .unexpectedCharacter),
        (#"{"a" 1}"#, .unexpectedCharacter),
        ("{a:1}", .unexpectedCharacter),
        ("{'a':1}", .unexpectedCharacter),
        ("['a']", .unexpectedCharacter),
        ("[1] // comment", .trailingData),
        ("/* c */ 1", .unexpectedCharacter),
        ("NaN", .unexpectedCharacter),
        ("Infinity", .unexpectedCharacter),
        ("-Infinity", .invalidNumber),
        ("tru", .unexpectedEnd),
        ("True", .unexpectedCharacter),
        ("nul1", .invalidLiteral),
        ("[1", .unexpectedEnd),
        (#"{"a":1"#, .unexpectedEnd),
        (#""abc"#, .unexpectedEnd),
        (#"{"a":"#, .unexpectedEnd),
    ])
    func structuralErrorsAreRejected(input: String, reason: JSONParseError.Reason) {
        #expect(parseFailure(input) == reason)
    }

    @Test(arguments: ["01", "-01", "00", "007"])
    func leadingZerosAreRejected(input: String) {
        #expect(parseFailure(input) == .leadingZero)
    }

    @Test(arguments: ["1.", ".1", "1e", "1e+", "-", "--1", "-.5", "1.e5", "+7", "0x10", "1.5.5"])
    func malformedNumbersAreRejected(input: String) {
        #expect(parseFailure(input) != nil)
    }

    @Test func emptyInputIsRejected() {
        #expect(parseFailure("") == .emptyInput)
    }

    @Test func whitespaceOnlyIsRejected() {
        #expect(parseFailure(" \n\t ") == .unexpectedEnd)
    }

    @Test(arguments: ["1 2", "{} {}", "[]]", "null x", "\"a\"\"b\"", "1\u{0}"])
    func trailingGarbageIsRejected(input: String) {
        #expect(parseFailure(input) == .trailingData)
    }

    @Test(arguments: [UInt8(0x00), 0x01, 0x09, 0x0A, 0x1F])
    func rawControlCharactersInStringsAreRejected(byte: UInt8) {
        #expect(parseFailure([0x22, 0x61, byte, 0x22]) == .controlCharacterInString)
        #expect(parseFailure([0x22, 0x5C, 0x6E, byte, 0x22]) == .controlCharacterInString)
    }

    @Test func deleteCharacterIsAllowedRawInJSONStrings() throws {
        // RFC 8259 only forbids U+0000 … U+001F; the user-id rules reject DEL later.
        #expect(try JSONParser.parse([0x22, 0x7F, 0x22]) == "\u{7F}")
    }

    @Test(arguments: [#""\ud800""#, #""\udc00""#, #""\ud83c""#, #""\ud83cx""#, #""\ud83c\u0041""#, #""\ud83c\ud83c""#, #""\udf9f\ud83c""#])
    func loneSurrogatesAreRejected(input: String) {
        #expect(parseFailure(input) == .loneSurrogate)
    }

    @Test(arguments: [#""\x41""#, #""\u12""#, #""\u12G4""#, #""\'""#, #""\U0041""#, #""\ ""#])
    func invalidEscapesAreRejected(input: String) {
        #expect(parseFailure(input) == .invalidEscape || parseFailure(input) == .unexpectedEnd)
    }

    @Test(arguments: [
        [UInt8(0x80)],                 // lone continuation byte
        [0xC3],                        // truncated 2-byte sequence
        [0xC0, 0xAF],                  // overlong "/"
        [0xC1, 0xBF],                  // overlong
        [0xE0, 0x80, 0xAF],            // overlong 3-byte
        [0xED, 0xA0, 0x80],            // UTF-8 encoded surrogate U+D800
        [0xF0, 0x80, 0x80, 0xAF],      // overlong 4-byte
        [0xF4, 0x90, 0x80, 0x80],      // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],      // invalid lead byte
        [0xFF],
        [0xE2, 0x82],                  // truncated €
        [0xE2, 0x28, 0xA1],            // bad continuation
    ])
    func invalidUTF8InStringsIsRejected(sequence: [UInt8]) {
        #expect(parseFailure([0x22] + sequence + [0x22]) == .invalidUTF8)
        #expect(parseFailure([0x22, 0x5C, 0x6E] + sequence + [0x22]) == .invalidUTF8)
    }

    @Test func invalidUTF8OutsideStringsIsRejected() {
        #expect(parseFailure([0xEF, 0xBB, 0xBF, 0x31]) == .unexpectedCharacter)
    }

    @Test func errorsCarryTheByteOffsetAndNeverEchoTheInput() throws {
        let secret = String(repeating: "x", count: 10_000)
        do {
            _ = try JSONParser.parse(#"{"k": "\#(secret)", }"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 10_010)
            #expect(error.description == "unexpected character at byte 10010")
            #expect(!error.description.contains("xx"))
        }
    }
}
