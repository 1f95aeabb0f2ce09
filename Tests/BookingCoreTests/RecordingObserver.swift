import BookingCore
import Synchronization

/// Remembers what the booking rules told their observer, in order.
final class RecordingObserver: ReservationObserver {
    enum Note: Equatable, Sendable {
        case reserved(Booking)
        case rejected(ReservationError)
        case cancelled
        case lockContended
        case cacheBypassed
        case holdsExpired(Int)
    }

    private let recorded = Mutex<[Note]>([])

    var notes: [Note] { recorded.withLock { $0 } }

    var reservedCount: Int { notes.filter { if case .reserved = $0 { true } else { false } }.count }
    var rejections: [ReservationError] { notes.compactMap { if case .rejected(let outcome) = $0 { outcome } else { nil } } }
    func count(_ note: Note) -> Int { notes.filter { $0 == note }.count }

    func reserved(_ booking: Booking) { recorded.withLock { $0.append(.reserved(booking)) } }
    func rejected(_ outcome: ReservationError) { recorded.withLock { $0.append(.rejected(outcome)) } }
    func cancelled() { recorded.withLock { $0.append(.cancelled) } }
    func lockContended() { recorded.withLock { $0.append(.lockContended) } }
    func cacheBypassed() { recorded.withLock { $0.append(.cacheBypassed) } }
    func holdsExpired(_ count: Int) { recorded.withLock { $0.append(.holdsExpired(count)) } }
}
