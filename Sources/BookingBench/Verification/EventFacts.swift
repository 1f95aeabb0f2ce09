/// What PostgreSQL and the API say about one event after a run, and the checks they must pass.
/// Pure: gathered by ``RunVerifier``, judged here.
struct EventFacts: Sendable, Equatable {
    var eventID: Int
    var totalSeats: Int
    var confirmed: Int
    var distinctUsers: Int
    var distinctSeats: Int
    var seatsOutOfRange: Int
    /// Bookings cancelled (rows in booking_history).
    var cancelled: Int
    var unsentOutbox: Int
    /// Nil when notifications are not checked.
    var confirmedNotifications: Int?
    var cancelledNotifications: Int?
    /// The API's `GET /api/events/{id}`.
    var apiTotalSeats: Int
    var apiBookedSeats: Int
    var apiAvailableSeats: Int
    /// Confirmed bookings the run's own answers imply (201s less 200 cancels), when they are
    /// exact: no request went unanswered.
    var expectedConfirmed: Int?

    /// Every confirmed and every cancelled booking announced itself once: a 'booking.confirmed'
    /// for each booking ever confirmed (still confirmed, or cancelled since) and a 'booking.cancelled'
    /// for each cancelled one.
    var expectedConfirmedNotifications: Int { confirmed + cancelled }
    var expectedCancelledNotifications: Int { cancelled }

    /// Nothing left to wait for: the outbox is drained and the worker has recorded (at least)
    /// every message it should have.
    var isSettled: Bool {
        unsentOutbox == 0
            && (confirmedNotifications.map { $0 >= expectedConfirmedNotifications } ?? true)
            && (cancelledNotifications.map { $0 >= expectedCancelledNotifications } ?? true)
    }

    func checks() -> [RunSummary.Check] {
        let event = "event \(eventID)"
        var checks = [
            check("\(event): confirmed bookings ≤ total seats", confirmed <= totalSeats, "\(confirmed) of \(totalSeats)"),
            check("\(event): no user holds two seats", distinctUsers == confirmed, "\(confirmed) bookings, \(distinctUsers) users"),
            check("\(event): no seat has two holders", distinctSeats == confirmed, "\(confirmed) bookings, \(distinctSeats) seats"),
            check("\(event): every seat within 1…total seats", seatsOutOfRange == 0, "\(seatsOutOfRange) outside"),
            check("\(event): outbox drained", unsentOutbox == 0, "\(unsentOutbox) unsent rows"),
            check(
                "\(event): API seat counts agree with PostgreSQL",
                apiTotalSeats == totalSeats && apiBookedSeats == confirmed && apiAvailableSeats == totalSeats - confirmed,
                "API total \(apiTotalSeats), booked \(apiBookedSeats), available \(apiAvailableSeats); "
                    + "PostgreSQL total \(totalSeats), confirmed \(confirmed)"
            ),
        ]
        if let expectedConfirmed {
            checks.append(check(
                "\(event): confirmed bookings match the answers the run got", confirmed == expectedConfirmed,
                "PostgreSQL \(confirmed), answers imply \(expectedConfirmed)"
            ))
        }
        if let confirmedNotifications, let cancelledNotifications {
            checks.append(check(
                "\(event): one notification per booking change",
                confirmedNotifications == expectedConfirmedNotifications && cancelledNotifications == expectedCancelledNotifications,
                "booking.confirmed \(confirmedNotifications) (expected \(expectedConfirmedNotifications)), "
                    + "booking.cancelled \(cancelledNotifications) (expected \(expectedCancelledNotifications))"
            ))
        }
        return checks
    }

    private func check(_ name: String, _ passed: Bool, _ detail: String) -> RunSummary.Check {
        RunSummary.Check(name: name, passed: passed, detail: detail)
    }
}
