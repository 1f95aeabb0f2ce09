import Foundation
import Hummingbird
import Testing

/// `POST /api/events` (admin), `GET /api/events`, `GET /api/events/{id}`.
@Suite("Event endpoints")
struct EventEndpointTests {
    private static func create(_ api: some APIClient, _ body: String, authorization: String? = "Bearer test-admin") async throws -> Reply {
        var headers: HTTPFields = [:]
        if let authorization { headers[.authorization] = authorization }
        return try await api.post("/api/events", body, headers: headers)
    }

    @Test func adminCreatesAnEventAndEveryoneReadsIt() async throws {
        try await TestServer.withAPI { api in
            let name = "Concert Zoë 🎟 \(UUID().uuidString.prefix(6))"
            let reply = try await Self.create(api, #"{"name": \#(jsonString(name)), "total_seats": 100}"#)
            #expect(reply.status == 201, "\(reply)")
            #expect(reply.json?["success"] == .bool(true))
            let event = try #require(reply.json?["event"]?.object, "\(reply)")
            #expect(Set(event.keys) == ["id", "name", "total_seats", "booked_seats", "held_seats", "available_seats", "created_at"])
            #expect(event["name"]?.string.map { Array($0.utf8) } == Array(name.utf8))
            #expect(event["total_seats"] == .int(100))
            #expect(event["booked_seats"] == .int(0))
            #expect(event["available_seats"] == .int(100))
            #expect(isAPITimestamp(event["created_at"]))
            let id = try #require(event["id"]?.int)

            let read = try await api.get("/api/events/\(id)")
            #expect(read.status == 200, "\(read)")
            #expect(read.json?.object.map { Set($0.keys) } == ["success", "event"])
            #expect(read.json?["event"] == reply.json?["event"])
        }
    }

    @Test(arguments: ["Bearer test-admin", "bearer test-admin", "BEARER test-admin", "BeArEr test-admin"])
    func bearerSchemeIsCaseInsensitive(authorization: String) async throws {
        try await TestServer.withAPI { api in
            let reply = try await Self.create(api, #"{"name": "Scheme", "total_seats": 1}"#, authorization: authorization)
            #expect(reply.status == 201, "\(authorization): \(reply)")
        }
    }

    @Test(arguments: [nil, "", "Bearer", "Bearer ", "Bearer wrong", "Bearer test-admin2", "Bearer TEST-ADMIN", "Basic test-admin", "test-admin", "Token test-admin"])
    func missingOrWrongTokenIs401(authorization: String?) async throws {
        try await TestServer.withAPI { api in
            let reply = try await Self.create(api, #"{"name": "Nope", "total_seats": 1}"#, authorization: authorization)
            expectError(reply, 401, "UNAUTHORIZED")
        }
    }

    @Test func unauthorizedComesBeforeABadBodyAndSizeBeforeBoth() async throws {
        try await TestServer.withAPI { api in
            expectError(try await Self.create(api, "not json", authorization: nil), 401, "UNAUTHORIZED")
            expectError(try await Self.create(api, #"{"name": "", "total_seats": 0}"#, authorization: "Bearer wrong"), 401, "UNAUTHORIZED")
            expectError(try await Self.create(api, "not json"), 400, "INVALID_REQUEST")
            let huge = #"{"name": "x", "total_seats": 1}"# + String(repeating: " ", count: 70_000)
            expectError(try await Self.create(api, huge, authorization: nil), 413, "PAYLOAD_TOO_LARGE")
        }
    }

    @Test(arguments: [
        #"{"name": "", "total_seats": 10}"#,
        #"{"name": "\#(String(repeating: "n", count: 201))", "total_seats": 10}"#,
        #"{"name": "bad\u0007name", "total_seats": 10}"#,
        #"{"name": "bad\u0085name", "total_seats": 10}"#,
        #"{"name": 5, "total_seats": 10}"#,
        #"{"total_seats": 10}"#,
        #"{"name": "ok"}"#,
        #"{"name": "ok", "total_seats": 0}"#,
        #"{"name": "ok", "total_seats": -5}"#,
        #"{"name": "ok", "total_seats": 1000001}"#,
        #"{"name": "ok", "total_seats": 10.0}"#,
        #"{"name": "ok", "total_seats": 1e1}"#,
        #"{"name": "ok", "total_seats": "10"}"#,
        #"{"name": "ok", "total_seats": null}"#,
        #"{"name": "ok", "total_seats": true}"#,
        "[]", "{",
    ])
    func invalidEventIs400(body: String) async throws {
        try await TestServer.withAPI { api in
            expectError(try await Self.create(api, body), 400, "INVALID_REQUEST")
        }
    }

    @Test func boundaryNamesAndSeatCountsAreAccepted() async throws {
        try await TestServer.withAPI { api in
            let longName = String(repeating: "é", count: 200)
            let long = try await Self.create(api, #"{"name": "\#(longName)", "total_seats": 1}"#)
            #expect(long.status == 201, "\(long)")
            #expect(long.json?["event"]?["name"]?.string == longName)
            let big = try await Self.create(api, #"{"name": "Stadium", "total_seats": 1000000}"#)
            #expect(big.status == 201 && big.json?["event"]?["available_seats"] == .int(1_000_000), "\(big)")
            // Names need not be unique.
            #expect(try await Self.create(api, #"{"name": "Stadium", "total_seats": 3}"#).status == 201)
        }
    }

    @Test func eventShowsLiveBookedAndAvailableCounts() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 5)
            let users = (0..<3).map { _ in TestEnvironment.uniqueUser() }
            var ids: [Int64] = []
            for user in users { ids.append(try #require(try await api.reserve(event: event, user: user).bookingID)) }
            #expect(try await api.cancel(booking: ids[0], user: users[0]).status == 200)
            let reply = try await api.get("/api/events/\(event)")
            #expect(reply.json?["event"]?["booked_seats"] == .int(2), "\(reply)")
            #expect(reply.json?["event"]?["available_seats"] == .int(3), "\(reply)")
            #expect(reply.json?["event"]?["total_seats"] == .int(5))
        }
    }

    @Test func unknownEventIs404AndAMalformedIdIs400() async throws {
        try await TestServer.withAPI { api in
            expectError(try await api.get("/api/events/9007199254740991"), 404, "EVENT_NOT_FOUND")
            for id in ["abc", "-1", "0", "01", "1.5", "9007199254740992"] {
                expectError(try await api.get("/api/events/\(id)"), 400, "INVALID_REQUEST")
            }
        }
    }

    @Test func eventListIsNewestFirstAndPagesByCursor() async throws {
        try await TestServer.withAPI { api in
            var created: [Int64] = []
            for _ in 0..<3 { created.append(try await api.createEvent(seats: 1)) }
            let first = try await api.get("/api/events?limit=2")
            #expect(first.status == 200, "\(first)")
            #expect(first.json?.object.map { Set($0.keys) } == ["success", "events", "next_cursor"])
            let firstPage = try #require(first.json?["events"]?.array)
            #expect(firstPage.count == 2)
            let cursor = try #require(first.json?["next_cursor"]?.string, "more events remain: \(first)")
            let second = try await api.get("/api/events?limit=2&cursor=\(percentEncoded(cursor))")
            let secondPage = try #require(second.json?["events"]?.array, "\(second)")
            #expect(secondPage.count == 2, "the page is full while more remain")
            let ids = (firstPage + secondPage).compactMap { $0["id"]?.int }
            #expect(Set(ids).count == 4, "pages do not overlap: \(ids)")
            let stamps = (firstPage + secondPage).compactMap { $0["created_at"]?.string }
            #expect(stamps == stamps.sorted(by: >), "newest first: \(stamps)")
            for event in firstPage + secondPage {
                #expect(Set(event.object.map { Array($0.keys) } ?? []) == ["id", "name", "total_seats", "booked_seats", "held_seats", "available_seats", "created_at"])
            }

            // Walking from the top finds the events just created, newest first.
            var seen: [Int64] = []
            var next: String? = nil
            repeat {
                let page = try await api.get("/api/events?limit=200" + (next.map { "&cursor=\(percentEncoded($0))" } ?? ""))
                seen += page.json?["events"]?.array?.compactMap { $0["id"]?.int } ?? []
                next = page.json?["next_cursor"]?.string
            } while next != nil && !created.allSatisfy(seen.contains) && seen.count < 2_000
            let order = created.map { seen.firstIndex(of: $0) ?? -1 }
            #expect(!order.contains(-1), "created events are listed: \(created)")
            #expect(order == order.sorted(by: >), "the later created comes first")

            for query in ["?limit=0", "?limit=201", "?limit=abc", "?cursor=bogus"] {
                expectError(try await api.get("/api/events" + query), 400, "INVALID_REQUEST")
            }
        }
    }
}
