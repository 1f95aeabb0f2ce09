/// The confirm-mode channel a connection publishes on, with the callers waiting for confirms
/// (thread-confined, part of `WireConnection`).
final class PublisherChannel {
    let identity: ChannelIdentity
    var confirms = PublisherConfirms()
    private var waiters: [PublisherConfirms.BatchID: (Result<Void, AMQPError>) -> Void] = [:]

    init(identity: ChannelIdentity) {
        self.identity = identity
    }

    func wait(for batch: PublisherConfirms.BatchID, _ completion: @escaping (Result<Void, AMQPError>) -> Void) {
        waiters[batch] = completion
    }

    func settle(_ outcomes: [(PublisherConfirms.BatchID, PublisherConfirms.Outcome)]) {
        for (batch, outcome) in outcomes {
            guard let waiter = waiters.removeValue(forKey: batch) else { continue }
            switch outcome {
            case .confirmed: waiter(.success(()))
            case .failed(let error): waiter(.failure(error))
            }
        }
    }

    func fail(_ error: AMQPError) {
        settle(confirms.failAll(error))
    }
}
