import NIOCore
import NIOPosix

/// One keep-alive HTTP/1.1 connection with at most one request in flight: a connection of the
/// generator stands for one client waiting for its answer, so there is no pipelining.
/// Confined to its channel's event loop: every method must be called there.
final class HTTPConnection {
    private let channel: any Channel
    private let exchange: ExchangeHandler

    private init(channel: any Channel, exchange: ExchangeHandler) {
        self.channel = channel
        self.exchange = exchange
    }

    /// Whether the next request may go out on this connection.
    var isUsable: Bool { channel.isActive && exchange.keepsAlive }

    /// Connects and hands the connection back on `loop`; call it on `loop`.
    static func connect(
        to target: TargetURL, on loop: any EventLoop,
        then done: @escaping (Result<HTTPConnection, TransportError>) -> Void
    ) {
        let host = target.hostHeader
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ExchangeHandler(hostHeader: host))
                }
            }
            .connect(host: target.host, port: target.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    do {
                        let exchange = try channel.pipeline.syncOperations.handler(type: ExchangeHandler.self)
                        done(.success(HTTPConnection(channel: channel, exchange: exchange)))
                    } catch {
                        channel.close(promise: nil)
                        done(.failure(.connectFailed))
                    }
                case .failure:
                    done(.failure(.connectFailed))
                }
            }
    }

    /// Sends `request`; `answer` is called once, on the event loop, with the response or the reason
    /// there is none.
    func send(_ request: BenchRequest, answer: @escaping (Result<BenchResponse, TransportError>) -> Void) {
        exchange.send(request, answer: answer)
    }

    /// Closes the connection; a request in flight is answered with `reason`.
    func close(failingWith reason: TransportError = .connectionClosed) {
        exchange.closeReason = reason
        channel.close(promise: nil)
    }
}

/// Writes one request and collects its response: the connection's only handler, speaking
/// HTTP/1.1 through ``HTTP1Wire``.
private final class ExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let hostHeader: String
    private var context: ChannelHandlerContext?
    private var answer: ((Result<BenchResponse, TransportError>) -> Void)?
    /// What has arrived of the answer so far.
    private var received: ByteBuffer?
    /// False once the server said it closes the connection after this answer.
    private(set) var keepsAlive = true
    var closeReason = TransportError.connectionClosed

    init(hostHeader: String) { self.hostHeader = hostHeader }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func send(_ request: BenchRequest, answer: @escaping (Result<BenchResponse, TransportError>) -> Void) {
        guard let context, context.channel.isActive, self.answer == nil else {
            answer(.failure(.connectionClosed))
            return
        }
        self.answer = answer
        var buffer = context.channel.allocator.buffer(capacity: 192 + (request.body?.utf8.count ?? 0))
        HTTP1Wire.encode(request, host: hostHeader, into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if var earlier = received.take() {
            earlier.writeBuffer(&buffer)
            buffer = earlier
        }
        do {
            guard let response = try HTTP1Wire.takeResponse(from: &buffer) else {
                received = buffer
                return
            }
            guard answer != nil, buffer.readableBytes == 0 else {
                // An answer nobody asked for: the connection is out of step.
                throw HTTP1Wire.MalformedResponse(reason: "an answer without a request")
            }
            keepsAlive = response.keepsAlive
            finish(.success(BenchResponse(status: response.status, body: response.body)))
            if !keepsAlive { context.close(promise: nil) }
        } catch {
            keepsAlive = false
            if closeReason == .connectionClosed { closeReason = .protocolError }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepsAlive = false
        finish(.failure(closeReason))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        keepsAlive = false
        context.close(promise: nil)
    }

    private func finish(_ result: Result<BenchResponse, TransportError>) {
        guard let answer else { return }
        self.answer = nil
        answer(result)
    }
}
