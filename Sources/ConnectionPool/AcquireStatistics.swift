/// Counts of a ``ConnectionPool``'s acquisitions since it was made, for metrics: how often
/// callers got a connection, how often and how long they had to wait for one, and how often
/// they gave up. Only a caller that waits pays for the measurement (two clock reads); one served
/// at once is counted inside the lock the pool takes anyway.
public struct AcquireStatistics: Sendable, Equatable {
    /// Connections lent (or permissions to open one granted), waited for or not.
    public var acquisitions: UInt64
    /// Of those, the ones that waited in line first.
    public var waitedAcquisitions: UInt64
    /// The time the waited acquisitions spent in line, all together.
    public var totalWait: Duration
    /// Callers that waited the whole acquire timeout and got nothing.
    public var timeouts: UInt64

    public init(acquisitions: UInt64 = 0, waitedAcquisitions: UInt64 = 0, totalWait: Duration = .zero, timeouts: UInt64 = 0) {
        self.acquisitions = acquisitions
        self.waitedAcquisitions = waitedAcquisitions
        self.totalWait = totalWait
        self.timeouts = timeouts
    }
}
