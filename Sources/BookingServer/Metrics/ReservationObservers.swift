import BookingCore

/// Tells every observer, in order: the relay's wake-up and the metrics both hear each outcome.
struct ReservationObservers: ReservationObserver {
    let observers: [any ReservationObserver]

    init(_ observers: [any ReservationObserver]) {
        self.observers = observers
    }

    func reserved(_ booking: Booking) { for observer in observers { observer.reserved(booking) } }
    func rejected(_ outcome: ReservationError) { for observer in observers { observer.rejected(outcome) } }
    func cancelled() { for observer in observers { observer.cancelled() } }
    func lockContended() { for observer in observers { observer.lockContended() } }
    func cacheBypassed() { for observer in observers { observer.cacheBypassed() } }
}
