import BookingCore
import Foundation
import HTTPTypes
import Testing

@testable import BookingServer

/// Every rule of docs/api.md's "Identity" in the token mode, against the real stores, with
/// tokens signed here as an issuer would.
@Suite("Token mode")
struct TokenModeTests {
    private func withTokenAPI(
        _ authenticator: @Sendable () async throws -> TokenAuthenticator = { try await TestTokens.authenticator() },
        _ body: @Sendable @escaping (RouterAPI) async throws -> Void
    ) async throws {
        var options = TestServer.Options()
        options.authenticator = try await authenticator()
        try await TestServer.withAPI(options: options, body)
    }

    private func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    private func reserve(_ api: RouterAPI, event: Int64, token: String?, user: String? = nil) async throws -> Reply {
        var body = #"{"event_id":\#(event)"#
        if let user { body += #","user_id":\#(jsonString(user))"# }
        return try await api.post("/api/bookings/reserve", body + "}", headers: token.map(bearer) ?? [:])
    }

    private func expectInvalid(_ reply: Reply, sourceLocation: SourceLocation = #_sourceLocation) {
        expectError(reply, 401, "UNAUTHORIZED", sourceLocation: sourceLocation)
        #expect(reply.headers["www-authenticate"] == #"Bearer error="invalid_token""#, sourceLocation: sourceLocation)
    }

    @Test func aMissingTokenIs401WithTheBearerChallenge() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 2)
            let reply = try await reserve(api, event: event, token: nil, user: "alice")
            expectError(reply, 401, "UNAUTHORIZED")
            #expect(reply.headers["www-authenticate"] == "Bearer")
            expectError(try await api.get("/api/bookings/user/alice"), 401, "UNAUTHORIZED")
            expectError(try await api.get("/api/bookings/1"), 401, "UNAUTHORIZED")
            expectError(try await api.delete("/api/bookings/1", #"{"user_id":"alice"}"#), 401, "UNAUTHORIZED")
        }
    }

    @Test func twoAuthorizationFieldsCarryNoToken() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser()
            let token = try await TestTokens.hs256(TestTokens.Claims(sub: user))
            var headers = bearer(token)
            headers.append(HTTPField(name: .authorization, value: "Bearer \(token)"))
            let reply = try await api.post("/api/bookings/reserve", #"{"event_id":\#(event)}"#, headers: headers)
            expectError(reply, 401, "UNAUTHORIZED")
            #expect(reply.headers["www-authenticate"] == "Bearer")
            #expect(try await TestDatabase.bookingsOfUser(user) == 0)
            #expect(try await reserve(api, event: event, token: token).status == 201)
        }
    }

    @Test func malformedForgedAndUnsignedTokensAre401() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser()
            let claims = TestTokens.Claims(sub: user)
            expectInvalid(try await reserve(api, event: event, token: "not-a-token"))
            expectInvalid(try await reserve(api, event: event, token: "a.b.c"))
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(claims, secret: String(repeating: "x", count: 40))))
            expectInvalid(try await reserve(api, event: event, token: try TestTokens.unsigned(claims)))
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(claims, digest: .sha384)))
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(claims, digest: .sha512)))
            // A valid HS256 signature under a header that claims another algorithm.
            for claimed in ["HS384", "HS512", "none", "RS256"] {
                expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(claims, headerAlgorithm: claimed)))
            }
            #expect(try await TestDatabase.bookingsOfUser(user) == 0)
            // The same claims, honestly signed, book.
            #expect(try await reserve(api, event: event, token: try await TestTokens.hs256(claims, headerAlgorithm: "HS256")).status == 201)
        }
    }

    @Test func anHS256TokenKeyedWithAPublicKeysBytesIsRefused() async throws {
        let keys = TestTokens.keys
        let pem = try String(contentsOfFile: keys.pemFile, encoding: .utf8)
        // The secret and the public keys at once: an HS256 token is checked against the secret
        // alone, never against a public key.
        try await withTokenAPI({ try await TestTokens.authenticator(publicKeysFile: keys.pemFile) }) { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser()
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.Claims(sub: user), secret: pem)))
            let rsaPEM = keys.rsa.publicKey.pemRepresentation
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.Claims(sub: user), secret: rsaPEM)))
            #expect(try await TestDatabase.bookingsOfUser(user) == 0)
        }
    }

    @Test func theTimeClaimsAreCheckedWithThirtySecondsOfLeeway() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 5)
            func token(_ claims: TestTokens.Claims) async throws -> String { try await TestTokens.hs256(claims) }
            let user = TestEnvironment.uniqueUser()
            expectInvalid(try await reserve(api, event: event, token: try await token(.init(sub: user, expiresIn: -60))))
            expectInvalid(try await reserve(api, event: event, token: try await token(.init(sub: user, expiresIn: nil))))
            expectInvalid(try await reserve(api, event: event, token: try await token(.init(sub: user, notBeforeIn: 60))))
            expectInvalid(try await reserve(api, event: event, token: try await token(.init(sub: user, issuedIn: 60))))
            #expect(try await TestDatabase.bookingsOfUser(user) == 0)
            // Within the leeway: expired 10 s ago, valid from 10 s on, issued 10 s ahead.
            let leeway = try await token(.init(sub: user, expiresIn: -10, notBeforeIn: 10, issuedIn: 10))
            #expect(try await reserve(api, event: event, token: leeway).status == 201)
        }
    }

    @Test func issuerAndAudienceMustMatchWhenConfigured() async throws {
        let configured: @Sendable () async throws -> TokenAuthenticator = { try await TestTokens.authenticator(issuer: TestTokens.issuer, audience: TestTokens.audience) }
        try await withTokenAPI(configured) { api in
            let event = try await api.createEvent(seats: 5)
            let user = TestEnvironment.uniqueUser()
            func token(iss: String?, aud: [String]?) async throws -> String {
                try await TestTokens.hs256(TestTokens.Claims(sub: user, iss: iss, aud: aud))
            }
            expectInvalid(try await reserve(api, event: event, token: try await token(iss: "https://other.test", aud: [TestTokens.audience])))
            expectInvalid(try await reserve(api, event: event, token: try await token(iss: nil, aud: [TestTokens.audience])))
            expectInvalid(try await reserve(api, event: event, token: try await token(iss: TestTokens.issuer, aud: ["other"])))
            expectInvalid(try await reserve(api, event: event, token: try await token(iss: TestTokens.issuer, aud: nil)))
            let good = try await token(iss: TestTokens.issuer, aud: ["other", TestTokens.audience])
            #expect(try await reserve(api, event: event, token: good).status == 201)
        }
    }

    @Test func publicKeysVerifyTheirOwnAlgorithmAndKeysRotateByKid() async throws {
        let keys = TestTokens.keys
        let both: @Sendable () async throws -> TokenAuthenticator = {
            let pem = try await JWTKeys.load(secret: nil, publicKeysFile: keys.pemFile)
            let jwks = try await JWTKeys.load(secret: TestTokens.secret, publicKeysFile: keys.jwksFile)
            return TokenAuthenticator(keys: pem + jwks, adminToken: AdminToken(TestEnvironment.adminToken), issuer: nil, audience: nil)
        }
        try await withTokenAPI(both) { api in
            let event = try await api.createEvent(seats: 10)
            func booked(_ token: String) async throws -> Int {
                try await reserve(api, event: event, token: token).status
            }
            func claims() -> TestTokens.Claims { TestTokens.Claims(sub: TestEnvironment.uniqueUser()) }
            #expect(try await booked(try await TestTokens.token(claims(), for: "RS256")) == 201)
            #expect(try await booked(try await TestTokens.token(claims(), for: "ES256-1")) == 201)
            #expect(try await booked(try await TestTokens.token(claims(), for: "ES256-2", kid: "ec-2")) == 201)
            #expect(try await booked(try await TestTokens.token(claims(), for: "ES256-2", kid: "ec-1")) == 401)
            #expect(try await booked(try await TestTokens.token(claims(), for: "EdDSA", kid: "ed-1")) == 201)
            #expect(try await booked(try await TestTokens.hs256(claims())) == 201)
            #expect(try await booked(try await TestTokens.token(claims(), for: "ES256-2", kid: "unknown")) == 401)
        }
    }

    @Test func aSubjectThatBreaksTheUserIDRulesMakesTheTokenInvalid() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 2)
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.Claims(sub: ""))))
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.Claims(sub: "a\u{7}b"))))
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.Claims(sub: String(repeating: "u", count: 129)))))
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.NumericSubject())))
            expectInvalid(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.Claims(sub: nil))))
        }
    }

    @Test func theUserIDMayBeLeftOutOrMustBeTheSubject() async throws {
        try await withTokenAPI { api in
            let first = try await api.createEvent(seats: 3)
            let second = try await api.createEvent(seats: 3)
            let user = TestEnvironment.uniqueUser("Zoë")
            let token = try await TestTokens.hs256(TestTokens.Claims(sub: user))
            let implicit = try await reserve(api, event: first, token: token)
            #expect(implicit.status == 201, "\(implicit)")
            #expect(implicit.booking?["user_id"]?.string == user)
            #expect(try await reserve(api, event: second, token: token, user: user).status == 201)
            let other = TestEnvironment.uniqueUser("other")
            expectError(try await reserve(api, event: second, token: token, user: other), 403, "FORBIDDEN")
            #expect(try await TestDatabase.bookingsOfUser(other) == 0, "a forbidden reserve booked something")
            #expect(try await TestDatabase.bookingsOfUser(user) == 2)
        }
    }

    @Test func anotherUsersBookingIsHiddenTheirListForbiddenTheirCancelNotOwned() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 3)
            let alice = TestEnvironment.uniqueUser("alice")
            let bob = TestEnvironment.uniqueUser("bob")
            let aliceToken = try await TestTokens.hs256(TestTokens.Claims(sub: alice))
            let bobToken = try await TestTokens.hs256(TestTokens.Claims(sub: bob))
            let booking = try #require(try await reserve(api, event: event, token: aliceToken).bookingID)
            expectError(try await api.get("/api/bookings/\(booking)", headers: bearer(bobToken)), 404, "BOOKING_NOT_FOUND")
            #expect(try await api.get("/api/bookings/\(booking)", headers: bearer(aliceToken)).status == 200)
            expectError(try await api.get("/api/bookings/user/\(percentEncoded(alice))", headers: bearer(bobToken)), 403, "FORBIDDEN")
            #expect(try await api.get("/api/bookings/user/\(percentEncoded(alice))", headers: bearer(aliceToken)).status == 200)
            expectError(try await api.delete("/api/bookings/\(booking)", nil, headers: bearer(bobToken)), 403, "NOT_OWNER")
            expectError(try await api.delete("/api/bookings/\(booking)", #"{"user_id":\#(jsonString(alice))}"#, headers: bearer(bobToken)), 403, "FORBIDDEN")
            #expect(try await api.delete("/api/bookings/\(booking)", nil, headers: bearer(aliceToken)).status == 200)
        }
    }

    @Test func theAdminByTokenOrByRoleReadsEverythingAndCreatesEvents() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 3)
            let alice = TestEnvironment.uniqueUser("alice")
            let booking = try #require(try await reserve(api, event: event, token: try await TestTokens.hs256(TestTokens.Claims(sub: alice))).bookingID)
            let role = try await TestTokens.hs256(TestTokens.Claims(sub: nil, roles: ["booking-admin"]))
            for admin in [TestEnvironment.adminToken, role] {
                #expect(try await api.get("/api/bookings/\(booking)", headers: bearer(admin)).status == 200)
                #expect(try await api.get("/api/bookings/user/\(percentEncoded(alice))", headers: bearer(admin)).status == 200)
                let created = try await api.post("/api/events", #"{"name":"By the admin","total_seats":5}"#, headers: bearer(admin))
                #expect(created.status == 201, "\(created)")
                // Without a subject it books for nobody.
                expectError(try await reserve(api, event: event, token: admin, user: alice), 403, "FORBIDDEN")
            }
            let user = try await TestTokens.hs256(TestTokens.Claims(sub: alice))
            expectError(try await api.post("/api/events", #"{"name":"No","total_seats":5}"#, headers: bearer(user)), 401, "UNAUTHORIZED")
        }
    }

    @Test func publicReadsNeedNoToken() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 3)
            #expect(try await api.get("/api/events").status == 200)
            #expect(try await api.get("/api/events/\(event)").status == 200)
            #expect(try await api.get("/health/live").status == 200)
            #expect(try await api.get("/metrics").status == 200)
        }
    }

    @Test func theChecksComeInTheirOrder() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 2)
            let user = TestEnvironment.uniqueUser()
            let token = try await TestTokens.hs256(TestTokens.Claims(sub: user))
            // 413 before 401: an oversized body without a token.
            let oversized = #"{"event_id":\#(event),"pad":""# + String(repeating: "x", count: 70_000) + #""}"#
            expectError(try await api.post("/api/bookings/reserve", oversized), 413, "PAYLOAD_TOO_LARGE")
            // 401 before 400: a malformed body without a token.
            expectError(try await api.post("/api/bookings/reserve", "{not json"), 401, "UNAUTHORIZED")
            // 400 before 403: a malformed body with a token.
            expectError(try await api.post("/api/bookings/reserve", "{not json", headers: bearer(token)), 400, "INVALID_REQUEST")
            // 403 before 404: another user on an event that does not exist.
            expectError(try await reserve(api, event: 9_007_199_254_740_991, token: token, user: "someone-else"), 403, "FORBIDDEN")
            expectError(try await reserve(api, event: 9_007_199_254_740_991, token: token), 404, "EVENT_NOT_FOUND")
        }
    }

    @Test func extraSpacesAfterTheSchemeAndItsCaseDoNotMatter() async throws {
        try await withTokenAPI { api in
            let event = try await api.createEvent(seats: 3)
            let token = try await TestTokens.hs256(TestTokens.Claims(sub: TestEnvironment.uniqueUser()))
            let spaced = try await api.post("/api/bookings/reserve", #"{"event_id":\#(event)}"#, headers: [.authorization: "bearer   \(token)"])
            #expect(spaced.status == 201, "\(spaced)")
            expectError(try await api.post("/api/bookings/reserve", #"{"event_id":\#(event)}"#, headers: [.authorization: "Basic \(token)"]), 401, "UNAUTHORIZED")
        }
    }

    @Test func theConfigurationMakesTheModeTheIssuerAndTheAudience() async throws {
        var configuration = TestEnvironment.configuration()
        configuration.authJWTSecret = TestTokens.secret
        configuration.authJWTIssuer = TestTokens.issuer
        configuration.authJWTAudience = TestTokens.audience
        let authenticator = try await makeAuthenticator(configuration: configuration, logger: TestEnvironment.logger)
        let user = TestEnvironment.uniqueUser()
        let good = try await TestTokens.hs256(TestTokens.Claims(sub: user, iss: TestTokens.issuer, aud: [TestTokens.audience]))
        let foreign = try await TestTokens.hs256(TestTokens.Claims(sub: user, iss: "https://other.test", aud: [TestTokens.audience]))
        #expect(try await authenticator.caller(bearer: good) == .verified(subject: user, isAdmin: false))
        await #expect(throws: AuthenticationFailure.invalid) { try await authenticator.caller(bearer: foreign) }
        await #expect(throws: AuthenticationFailure.missing) { try await authenticator.caller(bearer: nil) }
        #expect(try await authenticator.caller(bearer: TestEnvironment.adminToken) == .verified(subject: nil, isAdmin: true))
        let trusting = try await makeAuthenticator(configuration: TestEnvironment.configuration(), logger: TestEnvironment.logger)
        #expect(try await trusting.caller(bearer: nil) == .trusted(isAdmin: false))
        #expect(try await trusting.caller(bearer: TestEnvironment.adminToken) == .trusted(isAdmin: true))
    }

    @Test func aKeyFileWithoutAKeyStopsTheServer() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString).jwks").path
        try #"{"keys":[]}"#.write(toFile: empty, atomically: true, encoding: .utf8)
        await #expect(throws: JWTKeys.Invalid.self) { try await JWTKeys.load(secret: nil, publicKeysFile: empty) }
        await #expect(throws: JWTKeys.Invalid.self) { try await JWTKeys.load(secret: "short", publicKeysFile: nil) }
        await #expect(throws: JWTKeys.Invalid.self) { try await JWTKeys.load(secret: nil, publicKeysFile: empty + ".missing") }
    }
}
