/// The query of `GET /api/bookings/user/{user_id}`: `status`, `limit`, `cursor`.
public struct BookingListQuery: Hashable, Sendable {
    public var status: BookingStatusFilter
    public var page: PageRequest

    public init(status: BookingStatusFilter = .all, page: PageRequest = PageRequest()) {
        self.status = status
        self.page = page
    }

    public init(query: [QueryItem]) throws(ValidationError) {
        self.status = try BookingStatusFilter(queryValue: query.singleValue(named: "status"))
        self.page = try PageRequest(query: query)
    }
}
