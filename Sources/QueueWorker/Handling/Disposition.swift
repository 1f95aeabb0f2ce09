/// What becomes of a delivery once its message is handled.
enum Disposition: Sendable, Equatable {
    /// Done: acknowledge it.
    case acknowledge(Outcome)
    /// Give up on it: publish it to the dead-letter queue with the reason, then acknowledge it.
    case deadLetter(reason: String)

    enum Outcome: Sendable, Equatable {
        /// Recorded now (no webhook configured).
        case recorded
        /// Recorded before, by an earlier copy of the message: nothing done again.
        case duplicate
        /// Recorded and accepted by the webhook.
        case delivered
    }
}
