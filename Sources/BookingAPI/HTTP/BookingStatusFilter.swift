/// The `status` query parameter of a user's booking list.
public enum BookingStatusFilter: String, Hashable, Sendable, CaseIterable {
    case held
    case confirmed
    case cancelled
    case expired
    case all

    /// Parses the parameter; absent means `.all`.
    public init(queryValue: String?) throws(ValidationError) {
        guard let queryValue else {
            self = .all
            return
        }
        // Exact bytes: String equality would also accept canonically equivalent spellings.
        guard let filter = Self.allCases.first(where: { $0.rawValue.utf8.elementsEqual(queryValue.utf8) }) else {
            throw ValidationError(field: "status", message: "status must be held, confirmed, cancelled, expired or all")
        }
        self = filter
    }
}
