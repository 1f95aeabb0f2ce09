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

@Suite struct TokenModeOptionsTests {
    @Test func aSecretOnTheCommandLineIsTheTokenMode() throws {
        let secret = String(repeating: "k", count: 32)
        let options = try LoadOptions.parse(["--jwt-secret", secret, "--jwt-issuer", "idp", "--jwt-audience", "booking"])
        #expect(options.tokens.secret == secret)
        #expect(options.tokens.issuer == "idp")
        #expect(options.tokens.audience == "booking")
    }

    /// The server refuses such a secret at start-up; the bench says so before it runs.
    @Test func aSecretShorterThanTheServersMinimumIsRefused() {
        #expect(throws: (any Error).self) { try LoadOptions.parse(["--jwt-secret", String(repeating: "k", count: 31)]) }
    }

    @Test func trustingExcludesASecret() throws {
        #expect(throws: (any Error).self) {
            try LoadOptions.parse(["--trusting", "--jwt-secret", String(repeating: "k", count: 32)])
        }
        #expect(try LoadOptions.parse(["--trusting"]).tokens.secret == nil)
    }
}
