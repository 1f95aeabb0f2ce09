import Testing
@testable import BookingAPI

@Suite struct TextValidationTests {
    private func userIDFailure(_ text: String) -> ValidationError? {
        validationFailure { () throws(ValidationError) in try Validate.userID(text) }
    }

    @Test func oneAnd128ScalarUserIDsAreValid() throws {
        #expect(try Validate.userID("a") == "a")
        let longest = String(repeating: "a", count: 128)
        #expect(try Validate.userID(longest) == longest)
    }

    @Test func emptyAnd129ScalarUserIDsAreRejected() {
        #expect(userIDFailure("") == ValidationError(field: "user_id", message: "user_id must be 1 to 128 characters long"))
        #expect(userIDFailure(String(repeating: "a", count: 129))?.message == "user_id must be 1 to 128 characters long")
    }

    @Test func lengthCountsScalarsNotBytesOrGraphemes() throws {
        let emoji = String(repeating: "🎟", count: 128) // 512 UTF-8 bytes, 128 scalars
        #expect(try Validate.userID(emoji) == emoji)
        #expect(userIDFailure(emoji + "🎟") != nil)
        // "e" + U+0301 is one grapheme but two scalars.
        let combining = String(repeating: "e\u{301}", count: 64)
        #expect(combining.count == 64)
        #expect(try Validate.userID(combining) == combining)
        #expect(userIDFailure(combining + "e") != nil)
    }

    @Test(arguments: ["\u{0}", "\u{1F}", "\u{7F}", "\u{80}", "\u{9F}", "\n", "\t", "\r"])
    func controlCharactersAreRejected(control: String) {
        #expect(userIDFailure("ab\(control)cd") == ValidationError(field: "user_id", message: "user_id must not contain control characters"))
        #expect(userIDFailure(control) != nil)
    }

    @Test(arguments: ["\u{A0}", "\u{20}", "\u{200B}", "\u{FEFF}", "\u{2028}", "\u{AD}", "\u{E000}", "\u{10FFFF}", "Zoë 🎟", "' OR 1=1 --", "a/b", "\u{C0}\u{C2}\u{A9}"])
    func nonControlCharactersAreValid(text: String) throws {
        #expect(try Validate.userID(text) == text)
    }

    @Test func userIDFromJSONMustBeAString() {
        #expect(validationFailure { () throws(ValidationError) in try Validate.userID(from: 7) }?.message == "user_id must be a string")
        #expect(validationFailure { () throws(ValidationError) in try Validate.userID(from: .null) }?.message == "user_id must be a string")
        #expect(validationFailure { () throws(ValidationError) in try Validate.userID(from: nil) }?.message == "user_id is required")
    }

    @Test func eventNamesAllowUpTo200Scalars() throws {
        #expect(try Validate.eventName("Concert") == "Concert")
        let longest = String(repeating: "ñ", count: 200)
        #expect(try Validate.eventName(longest) == longest)
        #expect(validationFailure { () throws(ValidationError) in try Validate.eventName(longest + "n") } == ValidationError(field: "name", message: "name must be 1 to 200 characters long"))
        #expect(validationFailure { () throws(ValidationError) in try Validate.eventName("") } != nil)
        #expect(validationFailure { () throws(ValidationError) in try Validate.eventName("a\nb") }?.message == "name must not contain control characters")
        #expect(validationFailure { () throws(ValidationError) in try Validate.eventName(from: 5) }?.message == "name must be a string")
    }

    @Test func idempotencyKeysAreVisibleASCII() throws {
        #expect(try Validate.idempotencyKey("!") == "!")
        #expect(try Validate.idempotencyKey("~") == "~")
        let longest = String(repeating: "k", count: 128)
        #expect(try Validate.idempotencyKey(longest) == longest)
        let expected = ValidationError(field: "Idempotency-Key", message: "Idempotency-Key must be 1 to 128 visible ASCII characters")
        for bad in ["", longest + "k", "a b", "a\u{7F}", "a\tb", "ключ", "é", "\u{0}"] {
            #expect(validationFailure { () throws(ValidationError) in try Validate.idempotencyKey(bad) } == expected)
        }
    }
}
