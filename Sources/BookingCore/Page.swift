/// One page of a newest-first list and where the next one starts.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Nil exactly when no item remains after this page.
    public var next: PagePosition?

    public init(items: [Item], next: PagePosition?) {
        self.items = items
        self.next = next
    }
}

/// A position in a list ordered by (created_at, id), both descending: the last item shown.
public struct PagePosition: Sendable, Equatable {
    public var createdAt: Int64
    public var id: Int64

    public init(createdAt: Int64, id: Int64) {
        self.createdAt = createdAt
        self.id = id
    }
}
