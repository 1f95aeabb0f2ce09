import Foundation
import Testing

/// User ids come back byte for byte through reserve, get and list (path percent-decoded).
@Suite("User id round trips")
struct UserIDRoundTripTests {
    @Test(arguments: ["Zoë 🎟", "a/b", "' OR 1=1 --", "Zoe\u{0308} decomposed", "a+b", "100% \"quoted\" \\ back", "zero\u{200B}width"])
    func userIDRoundTripsByteForByte(base: String) async throws {
        try await TestServer.withAPI { api in
            // The exact id matters, so each run uses a fresh event and checks by that event.
            let event = try await api.createEvent(seats: 2)
            let user = base
            let reserved = try await api.reserve(event: event, user: user)
            #expect(reserved.status == 201, "\(reserved)")
            expectBookingShape(reserved.booking, event: event, user: user, status: "confirmed")
            let id = try #require(reserved.bookingID)

            let got = try await api.get("/api/bookings/\(id)")
            #expect(got.booking?["user_id"]?.string.map { Array($0.utf8) } == Array(user.utf8), "get: \(got)")

            // The same id may hold bookings from earlier runs: page through and find this one.
            var found: JSON?
            var cursor: String?
            repeat {
                let page = try await api.get(
                    "/api/bookings/user/\(percentEncoded(user))?limit=200" + (cursor.map { "&cursor=\(percentEncoded($0))" } ?? "")
                )
                #expect(page.status == 200, "list: \(page)")
                let bookings = page.json?["bookings"]?.array ?? []
                for booking in bookings {
                    #expect(booking["user_id"]?.string.map { Array($0.utf8) } == Array(user.utf8), "list holds only this user: \(booking)")
                }
                found = bookings.first { $0["id"]?.int == id } ?? found
                cursor = page.json?["next_cursor"]?.string
            } while found == nil && cursor != nil
            #expect(found != nil, "the booking is listed under \(percentEncoded(user))")
            #expect(found?["event_name"] != nil)
            #expect(try await api.cancel(booking: id, user: user).status == 200)
        }
    }

    @Test func slashInTheListPathIsPercentEncodedAndPlusIsAPlus() async throws {
        try await TestServer.withAPI { api in
            let event = try await api.createEvent(seats: 3)
            let slash = "a/b-\(UUID().uuidString.prefix(8))"
            let plus = "a+b-\(UUID().uuidString.prefix(8))"
            #expect(try await api.reserve(event: event, user: slash).status == 201)
            #expect(try await api.reserve(event: event, user: plus).status == 201)
            let bySlash = try await api.get("/api/bookings/user/\(slash.replacingOccurrences(of: "/", with: "%2F"))")
            #expect(bySlash.json?["bookings"]?.array?.first?["user_id"] == .string(slash), "\(bySlash)")
            let byPlus = try await api.get("/api/bookings/user/\(plus)")
            #expect(byPlus.json?["bookings"]?.array?.first?["user_id"] == .string(plus), "\(byPlus)")
            let spaced = try await api.get("/api/bookings/user/\(plus.replacingOccurrences(of: "+", with: "%20"))")
            #expect(spaced.json?["bookings"] == .array([]), "+ is not a space: \(spaced)")
        }
    }
}
