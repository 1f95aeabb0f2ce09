import BookingMessages
/// Posts a booking message to the configured webhook.
protocol WebhookSender: Sendable {
    /// One attempt; never throws: a transport failure is an outcome like a 500.
    func post(_ message: BookingMessage) async -> WebhookOutcome
}

/// What one POST got.
enum WebhookOutcome: Sendable, Equatable, CustomStringConvertible {
    /// A 2xx answer.
    case accepted(status: Int)
    /// Any other answer.
    case refused(status: Int)
    /// No answer: connect error, timeout, reset.
    case failed(String)

    var isAccepted: Bool {
        if case .accepted = self { true } else { false }
    }

    var status: Int? {
        switch self {
        case .accepted(let status), .refused(let status): status
        case .failed: nil
        }
    }

    var error: String? {
        if case .failed(let error) = self { error } else { nil }
    }

    var description: String {
        switch self {
        case .accepted(let status), .refused(let status): "HTTP \(status)"
        case .failed(let error): error
        }
    }
}
