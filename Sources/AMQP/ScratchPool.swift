import CRabbitMQ

/// Memory for the arguments of one rabbitmq-c call (strings, tables, properties): a rabbitmq-c
/// pool, freed as a whole when the call is done. Used only on the connection thread.
final class ScratchPool {
    private let pool: UnsafeMutablePointer<amqp_pool_t>

    init(pageSize: Int = 4096) {
        pool = .allocate(capacity: 1)
        init_amqp_pool(pool, pageSize)
    }

    deinit {
        empty_amqp_pool(pool)
        pool.deallocate()
    }

    func bytes(_ string: String) -> amqp_bytes_t {
        bytes(Array(string.utf8))
    }

    func bytes(_ array: [UInt8]) -> amqp_bytes_t {
        guard !array.isEmpty else { return amqp_bytes_t(len: 0, bytes: nil) }
        var output = amqp_bytes_t()
        amqp_pool_alloc_bytes(pool, array.count, &output)
        guard let destination = output.bytes else { fatalError("rabbitmq-c pool allocation failed (out of memory)") }
        array.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: array.count) }
        return output
    }

    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        // amqp_pool_alloc rounds to 8 bytes on malloc'd pages, enough for every rabbitmq-c struct.
        guard let raw = amqp_pool_alloc(pool, MemoryLayout<T>.stride * count) else {
            fatalError("rabbitmq-c pool allocation failed (out of memory)")
        }
        return raw.bindMemory(to: T.self, capacity: count)
    }
}

extension String {
    /// Copies rabbitmq-c bytes (not NUL-terminated) into a String, replacing invalid UTF-8.
    init(amqpBytes bytes: amqp_bytes_t) {
        guard let start = bytes.bytes, bytes.len > 0 else {
            self = ""
            return
        }
        self = String(decoding: UnsafeRawBufferPointer(start: start, count: bytes.len), as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    init(amqpBytes bytes: amqp_bytes_t) {
        guard let start = bytes.bytes, bytes.len > 0 else {
            self = []
            return
        }
        self = Array(UnsafeRawBufferPointer(start: start, count: bytes.len))
    }
}
