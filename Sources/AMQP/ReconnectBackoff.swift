import ConnectionPool

/// The delays between reconnect attempts: the clients' one ``Backoff`` (exponential, capped,
/// with jitter so that many clients dropped by one broker restart do not reconnect in
/// lockstep), under the name AMQP's callers know.
public typealias ReconnectBackoff = Backoff
