import BookingCore
import Logging
import ServiceLifecycle

/// The expiry task of every instance: lapsed holds move to history as `expired`, each with its
/// `booking.expired` outbox row, and their seats are freed in the cache (docs/api.md, "POST
/// /api/bookings/hold"). Housekeeping: a lapsed hold counts for nothing from its end on, whether
/// or not this has run, so no answer waits for it. Batches are taken with `FOR UPDATE SKIP
/// LOCKED`, so instances share the work without waiting for each other.
final class HoldExpiry: Service, Sendable {
    let service: BookingService
    let logger: Logger
    /// How often it looks; a `booking.expired` leaves within this (plus the relay's moment) of
    /// the hold's end, well inside the contract's 10 s.
    let interval: Duration
    let batchSize: Int

    init(service: BookingService, logger: Logger, interval: Duration = .seconds(1), batchSize: Int = 500) {
        self.service = service
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
    }

    func run() async throws {
        await cancelWhenGracefulShutdown { [self] in await expireUntilCancelled() }
    }

    private func expireUntilCancelled() async {
        var failures = 0
        while !Task.isCancelled {
            do throws(ReservationError) {
                let moved = try await service.expireLapsedHolds(batch: batchSize)
                if failures > 0 { logger.info("hold expiry running again") }
                failures = 0
                // A full batch: more may be waiting.
                if moved == batchSize { continue }
            } catch {
                if Task.isCancelled { return }
                failures += 1
                if failures == 1 { logger.warning("hold expiry failed; retrying", metadata: ["error": "\(error)"]) }
            }
            try? await Task.sleep(for: failures == 0 ? interval : min(interval * failures, .seconds(10)))
        }
    }
}
