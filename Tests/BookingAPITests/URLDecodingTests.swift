import Testing
@testable import BookingAPI

@Suite struct URLDecodingTests {
    @Test(arguments: [
        ("a%2Fb", "a/b"), ("a%2fb", "a/b"), ("a+b", "a+b"), ("%E2%82%AC", "€"), ("%e2%82%ac", "€"),
        ("Zo%C3%AB%20%F0%9F%8E%9F", "Zoë 🎟"), ("plain", "plain"), ("", ""), ("%25", "%"), ("%2B", "+"),
        ("Zoë", "Zoë"), ("%00", "\u{0}"),
    ])
    func pathSegmentsDecode(raw: String, expected: String) {
        #expect(URLDecoding.pathSegment(raw[...]) == expected)
    }

    @Test(arguments: ["%zz", "%E2%82", "%", "%2", "a%", "%G0", "%C3%28", "%FF", "%ED%A0%80", "%C0%AF"])
    func malformedEscapesOrInvalidUTF8AreRejected(raw: String) {
        #expect(URLDecoding.pathSegment(raw[...]) == nil)
    }

    @Test func queryItemsSplitAndDecode() throws {
        let items = try #require(URLDecoding.queryItems("status=confirmed&limit=10&cursor=abc_-&user_id=a%2Fb+c&flag&=v&k=a=b"))
        #expect(items == [
            QueryItem(name: "status", value: "confirmed"),
            QueryItem(name: "limit", value: "10"),
            QueryItem(name: "cursor", value: "abc_-"),
            QueryItem(name: "user_id", value: "a/b+c"),
            QueryItem(name: "flag", value: ""),
            QueryItem(name: "", value: "v"),
            QueryItem(name: "k", value: "a=b"),
        ])
    }

    @Test func plusInAQueryValueStaysAPlusSign() {
        #expect(URLDecoding.queryItems("user_id=a+b") == [QueryItem(name: "user_id", value: "a+b")])
    }

    @Test func emptyQueriesAndEmptyItemsYieldNothing() {
        #expect(URLDecoding.queryItems("") == [])
        #expect(URLDecoding.queryItems("&&") == [])
        #expect(URLDecoding.queryItems("a=1&&b=2") == [QueryItem(name: "a", value: "1"), QueryItem(name: "b", value: "2")])
    }

    @Test func malformedQueriesAreRejected() {
        #expect(URLDecoding.queryItems("a=%zz") == nil)
        #expect(URLDecoding.queryItems("a%E2=1") == nil)
        #expect(URLDecoding.queryItems("ok=1&bad=%") == nil)
    }
}
