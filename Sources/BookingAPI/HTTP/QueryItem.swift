/// One decoded `name=value` pair of a query string.
public struct QueryItem: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension [QueryItem] {
    /// The value of the parameter `name`, `nil` when absent; a parameter given twice is an
    /// error, since picking one of them silently would hide a client bug.
    public func singleValue(named name: String) throws(ValidationError) -> String? {
        var found: String?
        for item in self where item.name.utf8.elementsEqual(name.utf8) {
            guard found == nil else {
                throw ValidationError(field: name, message: "\(name) must be given at most once")
            }
            found = item.value
        }
        return found
    }
}
