import Testing
@testable import Redis

@Suite struct RedisValueTests {
    @Test func accessorsReadTheMatchingReplyTypes() {
        #expect(RedisValue.integer(5).int == 5)
        #expect(RedisValue.bulk(Array("12".utf8)).int == 12)
        #expect(RedisValue.bulk(Array("Zoë 🎟".utf8)).string == "Zoë 🎟")
        #expect(RedisValue.status("OK").string == "OK")
        #expect(RedisValue.bulk([0xFF, 0xFE]).string == nil)
        #expect(RedisValue.bulk([0x00]).bytes == [0x00])
        #expect(RedisValue.array([.null]).array == [.null])
        #expect(RedisValue.null.isNull)
        #expect(RedisValue.integer(1).string == nil)
        #expect(!RedisValue.bulk([]).isNull)
    }

    @Test func askingForAnotherTypeThrowsUnexpectedReply() throws {
        let error = try #require(throws: RedisError.self) { try RedisValue.status("OK").expectArray() }
        #expect(error.code == .unexpectedReply)
        #expect(error.description.contains("expected an array"))
        #expect(throws: RedisError.self) { try RedisValue.null.expectInt() }
        #expect(throws: RedisError.self) { try RedisValue.null.expectString() }
        #expect(throws: RedisError.self) { try RedisValue.integer(1).expectBytes() }
    }
}
