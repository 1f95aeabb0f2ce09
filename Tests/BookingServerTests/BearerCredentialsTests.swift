import Testing

@testable import BookingServer

/// `Authorization: Bearer <credentials>` as the server reads it, and the admin token's comparison.
@Suite("Bearer credentials")
struct BearerCredentialsTests {
    @Test(arguments: [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc", "abc"),
        ("BEARER abc", "abc"),
        ("bEaReR abc", "abc"),
        ("  Bearer abc", "abc"),
        ("Bearer  \t abc", "abc"),
        ("Bearer a b", "a b"),
        ("Bearer é🎟", "é🎟"),
    ])
    func theSchemeInAnyCaseThenTheCredentials(_ header: String, _ credentials: String) {
        #expect(BearerCredentials.of(header: header) == credentials)
    }

    @Test(arguments: ["", "Bearer", "Bearer ", "Bearer  \t ", "Bearerabc", "Bearer\tabc", "Beare abc", "Basic YWxhZGRpbjpvcGVu", "Bearerr abc", "Bearér abc"])
    func anythingElseCarriesNone(_ header: String) {
        #expect(BearerCredentials.of(header: header) == nil)
    }

    @Test func theAdminTokenMatchesItselfOnly() throws {
        let admin = try #require(AdminToken("s3cret-admin"))
        #expect(admin.matches("s3cret-admin"))
        #expect(!admin.matches("s3cret-admiN"))
        #expect(!admin.matches("s3cret-admin "))
        #expect(!admin.matches("s3cret-admi"))
        #expect(!admin.matches(""))
        #expect(AdminToken("") == nil)
        #expect(AdminToken(nil) == nil)
    }
}
