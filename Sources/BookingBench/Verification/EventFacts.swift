/// What PostgreSQL and the API say about one event after a run, and the checks they must pass.
/// Pure: gathered by ``RunVerifier``, judged here.
struct EventFacts: Sendable, Equatable {
    var eventID: Int
    var totalSeats: Int
    var confirmed: Int
    /// Holds still in bookings (live, or lapsed and not yet moved by the expiry task).
    var held: Int = 0
    var distinctUsers: Int
    var distinctSeats: Int
    var seatsOutOfRange: Int
    /// Bookings cancelled (rows in booking_history).
    var cancelled: Int
    /// Holds that lapsed (rows in booking_history).
    var expired: Int = 0
    var unsentOutbox: Int
    /// Nil when notifications are not checked.
    var notifications: Changes?
    /// The API's `GET /api/events/{id}`.
    var apiTotalSeats: Int
    var apiBookedSeats: Int
    var apiHeldSeats: Int = 0
    var apiAvailableSeats: Int
    /// Confirmed bookings the run's own answers imply (201s less 200 cancels), when they are
    /// exact: no request went unanswered.
    var expectedConfirmed: Int?
    /// The status changes the run's answers imply (a checkout's), when exact; nil: a run of
    /// reserves and cancels, whose changes PostgreSQL's rows imply.
    var expectedChanges: Changes?
    /// When some answers were lost or failed: every 201 must be in PostgreSQL (the lower bound),
    /// and nothing beyond the requests whose outcome is unknown (the upper).
    var confirmedBounds: ClosedRange<Int>? = nil

    /// How many changes of each kind: messages recorded, or expected.
    struct Changes: Sendable, Equatable, CustomStringConvertible {
        var held = 0, confirmed = 0, cancelled = 0, expired = 0

        var description: String {
            "booking.held \(held), booking.confirmed \(confirmed), booking.cancelled \(cancelled), booking.expired \(expired)"
        }

        func covers(_ other: Changes) -> Bool {
            held >= other.held && confirmed >= other.confirmed && cancelled >= other.cancelled && expired >= other.expired
        }
    }

    /// Every change announced itself once. Without holds: a 'booking.confirmed' for each booking
    /// ever confirmed (still confirmed, or cancelled since) and a 'booking.cancelled' for each
    /// cancelled one; a checkout's come from its answers.
    var expectedNotifications: Changes {
        expectedChanges ?? Changes(confirmed: confirmed + cancelled, cancelled: cancelled)
    }

    /// Nothing left to wait for: no hold left to lapse or be moved, the outbox drained, and the
    /// worker has recorded (at least) every message it should have.
    var isSettled: Bool {
        held == 0 && unsentOutbox == 0 && (notifications.map { $0.covers(expectedNotifications) } ?? true)
    }

    func checks() -> [RunSummary.Check] {
        let event = "event \(eventID)"
        var checks = [
            check("\(event): confirmed bookings ≤ total seats", confirmed <= totalSeats, "\(confirmed) of \(totalSeats)"),
            check("\(event): no user holds two seats", distinctUsers == confirmed + held, "\(confirmed + held) bookings, \(distinctUsers) users"),
            check("\(event): no seat has two holders", distinctSeats == confirmed + held, "\(confirmed + held) bookings, \(distinctSeats) seats"),
            check("\(event): no hold left", held == 0, "\(held) holds in bookings"),
            check("\(event): every seat within 1…total seats", seatsOutOfRange == 0, "\(seatsOutOfRange) outside"),
            check("\(event): outbox drained", unsentOutbox == 0, "\(unsentOutbox) unsent rows"),
            check(
                "\(event): API seat counts agree with PostgreSQL",
                apiTotalSeats == totalSeats && apiBookedSeats == confirmed && apiHeldSeats == 0
                    && apiAvailableSeats == totalSeats - confirmed,
                "API total \(apiTotalSeats), booked \(apiBookedSeats), held \(apiHeldSeats), available \(apiAvailableSeats); "
                    + "PostgreSQL total \(totalSeats), confirmed \(confirmed)"
            ),
        ]
        if let expectedConfirmed {
            checks.append(check(
                "\(event): confirmed bookings match the answers the run got", confirmed == expectedConfirmed,
                "PostgreSQL \(confirmed), answers imply \(expectedConfirmed)"
            ))
        }
        if let confirmedBounds {
            checks.append(check(
                "\(event): every 201 is in PostgreSQL, and no more than the unanswered requests beside them",
                confirmedBounds.contains(confirmed),
                "PostgreSQL \(confirmed); 201s imply \(confirmedBounds.lowerBound), with the failed or unanswered at most \(confirmedBounds.upperBound)"
            ))
        }
        if let expectedChanges {
            checks.append(check(
                "\(event): PostgreSQL holds the changes the answers imply",
                confirmed == expectedChanges.confirmed && cancelled == expectedChanges.cancelled && expired == expectedChanges.expired,
                "confirmed \(confirmed), cancelled \(cancelled), expired \(expired); answers imply \(expectedChanges)"
            ))
        }
        if let notifications {
            checks.append(check(
                "\(event): one notification per booking change", notifications == expectedNotifications,
                "\(notifications) (expected \(expectedNotifications))"
            ))
        }
        return checks
    }

    private func check(_ name: String, _ passed: Bool, _ detail: String) -> RunSummary.Check {
        RunSummary.Check(name: name, passed: passed, detail: detail)
    }
}
