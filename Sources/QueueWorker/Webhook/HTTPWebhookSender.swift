import AsyncHTTPClient
import BookingMessages
import NIOCore

/// Posts messages to `WEBHOOK_URL` with AsyncHTTPClient: the body as published, with the message
/// id in `X-Message-Id` so that the receiver can drop the copies at-least-once delivery may bring
/// (a crash between its 2xx and our record of it posts again). With `WEBHOOK_SECRET`, each
/// attempt is signed anew in `X-Signature`, over exactly the bytes it posts.
struct HTTPWebhookSender: WebhookSender {
    let url: String
    let client: HTTPClient
    /// For one attempt, connect to last body byte.
    let timeout: TimeAmount
    /// Nil: no `WEBHOOK_SECRET`, no `X-Signature`.
    let signer: WebhookSigner?

    func post(_ message: BookingMessage) async -> WebhookOutcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in Self.headers(for: message, signer: signer) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(bytes: message.body))
        do {
            let response = try await client.execute(request, timeout: timeout)
            // Read (and drop) the answer so that the connection can be reused.
            _ = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            return (200..<300).contains(status) ? .accepted(status: status) : .refused(status: status)
        } catch {
            return .failed(Self.describe(error))
        }
    }

    /// The headers of one attempt at posting `message.body`, signed now when there is a signer.
    static func headers(for message: BookingMessage, signer: WebhookSigner?) -> [(name: String, value: String)] {
        var headers = [
            (name: "Content-Type", value: "application/json"),
            (name: "X-Message-Id", value: message.id),
            (name: "X-Message-Type", value: message.kind.rawValue),
        ]
        if let signer {
            headers.append((name: WebhookSigner.header, value: signer.signature(of: message.body)))
        }
        return headers
    }

    /// Short and free of secrets: the kind of failure, not the URL (which may carry a token).
    private static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            return "HTTP client error: \(error.shortDescription)"
        }
        return String(describing: type(of: error))
    }
}
