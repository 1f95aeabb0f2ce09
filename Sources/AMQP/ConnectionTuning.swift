/// The connection.tune negotiation, as rabbitmq-c's `amqp_login` does it: the lower non-zero
/// limit wins; a client heartbeat of 0 disables heartbeats.
struct ConnectionTuning: Equatable {
    var channelMax: UInt16
    var frameMax: UInt32
    var heartbeat: UInt16

    static func negotiate(client: ConnectionTuning, server: ConnectionTuning) -> ConnectionTuning {
        var result = client
        if server.channelMax != 0, server.channelMax < client.channelMax || client.channelMax == 0 {
            result.channelMax = server.channelMax
        } else if server.channelMax == 0, client.channelMax == 0 {
            result.channelMax = .max
        }
        if server.frameMax != 0, server.frameMax < client.frameMax || client.frameMax == 0 {
            result.frameMax = server.frameMax
        }
        if server.heartbeat != 0, server.heartbeat < client.heartbeat {
            result.heartbeat = server.heartbeat
        }
        return result
    }
}
