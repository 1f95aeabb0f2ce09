/// Hears what the booking rules decided, for metrics; must return quickly.
public protocol ReservationObserver: Sendable {
    func reserved(_ booking: Booking)
    func rejected(_ outcome: ReservationError)
    func cancelled()
    /// A request waited for another request of the same user for the same event.
    func lockContended()
    /// A reservation went through the store alone because the cache failed.
    func cacheBypassed()
    /// The expiry task moved this many lapsed holds to history.
    func holdsExpired(_ count: Int)
}

extension ReservationObserver {
    public func holdsExpired(_ count: Int) {}
}

/// Observes nothing.
public struct NoReservationObserver: ReservationObserver {
    public init() {}
    public func reserved(_ booking: Booking) {}
    public func rejected(_ outcome: ReservationError) {}
    public func cancelled() {}
    public func lockContended() {}
    public func cacheBypassed() {}
}
