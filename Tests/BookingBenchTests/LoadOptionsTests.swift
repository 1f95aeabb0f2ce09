import Testing

@testable import BookingBench

@Suite struct LoadOptionsTests {
    @Test func acceptsAnOrdinaryAdminToken() throws {
        let options = try LoadOptions.parse(["--admin-token", "bench-admin-token"])
        #expect(options.adminToken == "bench-admin-token")
    }

    /// The token goes into a hand-framed header: a line break would split the request.
    @Test(arguments: ["", "two words", "line\r\nX-Injected: 1", "tab\there", "naïve"])
    func refusesAnAdminTokenThatCannotBeAHeaderValue(_ token: String) {
        #expect(throws: (any Error).self) { try LoadOptions.parse(["--admin-token", token]) }
    }
}
