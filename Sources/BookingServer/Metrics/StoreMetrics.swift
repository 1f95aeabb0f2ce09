import CoreMetrics

/// How the store grouped its writes: `booking_store_groups_total{write}` statements written and
/// `booking_store_group_items_total{write}` items in them (their ratio is the mean group), for
/// `write` = `insert`, `confirm`, `cancel`.
struct StoreMetrics: Sendable {
    enum Write: String, CaseIterable, Sendable {
        case insert, confirm, cancel
    }

    private let groups: [Write: Counter]
    private let items: [Write: Counter]

    /// Handles that count into nothing, for a store without an exporter (the contract tests).
    init() {
        self.init(factory: NOOPMetricsHandler.instance)
    }

    init(factory: any MetricsFactory) {
        groups = Dictionary(uniqueKeysWithValues: Write.allCases.map { write in
            (write, Counter(label: "booking_store_groups_total", dimensions: [("write", write.rawValue)], factory: factory))
        })
        items = Dictionary(uniqueKeysWithValues: Write.allCases.map { write in
            (write, Counter(label: "booking_store_group_items_total", dimensions: [("write", write.rawValue)], factory: factory))
        })
    }

    func groupWritten(_ write: Write) -> @Sendable (Int) -> Void {
        let (group, item) = (groups[write]!, items[write]!)
        return { size in
            group.increment()
            item.increment(by: size)
        }
    }
}
