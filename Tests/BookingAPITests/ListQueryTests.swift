import Testing
@testable import BookingAPI

@Suite struct ListQueryTests {
    private func query(_ raw: String) throws -> [QueryItem] {
        try #require(URLDecoding.queryItems(raw[...]))
    }

    @Test func defaultsApplyWhenParametersAreAbsent() throws {
        let parsed = try BookingListQuery(query: query(""))
        #expect(parsed == BookingListQuery(status: .all, page: PageRequest(limit: 50, cursor: nil)))
    }

    @Test func allParametersAreRead() throws {
        let cursor = PageCursor(createdAtMicroseconds: 1_795_428_000_123_456, id: 77)
        let parsed = try BookingListQuery(query: query("status=cancelled&limit=200&cursor=\(cursor.encode())&other=x"))
        #expect(parsed == BookingListQuery(status: .cancelled, page: PageRequest(limit: 200, cursor: cursor)))
    }

    @Test(arguments: ["1", "50", "199", "200"])
    func limitsInRangeAreAccepted(raw: String) throws {
        #expect(try PageRequest.limit(raw) == Int(raw))
    }

    @Test(arguments: ["0", "201", "", "-1", "+5", "050", "5.0", "1e2", "abc", "９", " 5", "99999999999999999999"])
    func limitsOutOfRangeOrNotDigitsAreRejected(raw: String) {
        let error = validationFailure { () throws(ValidationError) in try PageRequest.limit(raw) }
        #expect(error == ValidationError(field: "limit", message: "limit must be an integer from 1 to 200"))
    }

    @Test func statusValuesAreExact() throws {
        #expect(try BookingStatusFilter(queryValue: nil) == .all)
        #expect(try BookingStatusFilter(queryValue: "confirmed") == .confirmed)
        #expect(try BookingStatusFilter(queryValue: "cancelled") == .cancelled)
        #expect(try BookingStatusFilter(queryValue: "all") == .all)
        for bad in ["", "Confirmed", "canceled", "ALL", "all "] {
            #expect(validationFailure { () throws(ValidationError) in try BookingStatusFilter(queryValue: bad) }?.field == "status")
        }
    }

    @Test func badCursorIsRejected() throws {
        let items = try query("cursor=nope")
        let error = validationFailure { () throws(ValidationError) in try PageRequest(query: items) }
        #expect(error?.field == "cursor")
    }

    @Test func repeatedParametersAreRejected() throws {
        let items = try query("limit=5&limit=6")
        let error = validationFailure { () throws(ValidationError) in try BookingListQuery(query: items) }
        #expect(error == ValidationError(field: "limit", message: "limit must be given at most once"))
    }

    @Test func eventListIgnoresStatus() throws {
        #expect(try PageRequest(query: query("status=bogus&limit=3")) == PageRequest(limit: 3))
    }
}
