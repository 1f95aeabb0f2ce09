import Testing
@testable import BookingAPI

@Suite struct PageCursorTests {
    @Test(arguments: [
        PageCursor(createdAtMicroseconds: 1_795_428_000_123_456, id: 123),
        PageCursor(createdAtMicroseconds: 0, id: 1),
        PageCursor(createdAtMicroseconds: -1, id: 9_007_199_254_740_991),
        PageCursor(createdAtMicroseconds: Int64.min, id: 2),
        PageCursor(createdAtMicroseconds: Int64.max, id: 3),
    ])
    func cursorsRoundTrip(cursor: PageCursor) {
        let encoded = cursor.encode()
        #expect(encoded.utf8.count == 23)
        #expect(encoded.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        })
        #expect(PageCursor.decode(encoded) == cursor)
    }

    @Test func encodingIsStable() {
        #expect(PageCursor(createdAtMicroseconds: 1, id: 1).encode() == "AQAAAAAAAAABAAAAAAAAAAE")
    }

    @Test(arguments: [
        "", "A", "garbage", "AQAAAAAAAAABAAAAAAAAAAE=", "AQAAAAAAAAABAAAAAAAAAAE.", "AQAAAAAAAAABAAAAAAAAAAEA",
        "AQAAAAAAAAABAAAAAAAAAA", "AQAAAAAAAAABAAAAAAAAAAF", "AQAAAAAAAAABAAAAAAAAAA+", "AQAAAAAAAAABAAAAAAAAAA/",
        "AgAAAAAAAAABAAAAAAAAAAE", "AAAAAAAAAAABAAAAAAAAAAE", "AQAAAAAAAAABAAAAAAAAAAA", "AQAAAAAAAAAB__________8",
        "AQAAAAAAAAABACAAAAAAAAA", "AQAAAAAAAAABAAAAAAAAAAE\n", " AQAAAAAAAAABAAAAAAAAAAE", "AQAAAAAAAAABAAAAAAAAAAÉ",
    ])
    func malformedCursorsAreRejected(text: String) {
        #expect(PageCursor.decode(text) == nil)
    }

    @Test func negativeAndZeroIDsAreRejected() {
        #expect(PageCursor.decode(PageCursor(createdAtMicroseconds: 5, id: -1).encode()) == nil)
        #expect(PageCursor.decode(PageCursor(createdAtMicroseconds: 5, id: 0).encode()) == nil)
        #expect(PageCursor.decode(PageCursor(createdAtMicroseconds: 5, id: 9_007_199_254_740_992).encode()) == nil)
    }

    @Test func base64URLMatchesRFC4648Vectors() {
        let vectors = [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("Zh") == nil)  // non-zero unused bits
        #expect(Base64URL.decode("Zm9=") == nil)
    }
}
