/// A failure that is no answer of the booking rules: a cache outage, or a store failing in a
/// way its port says it never should.
public struct SimulatedOutage: Error, Equatable {
    public var what: String

    public init(what: String) {
        self.what = what
    }
}
