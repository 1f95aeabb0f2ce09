import CHiredis
import NIOCore

/// Writes commands in RESP with hiredis's `redisFormatCommandArgv`.
///
/// One per connection, used on its event loop only. The argument bytes are gathered into one
/// reusable buffer so that the C call gets stable pointers without an allocation per argument.
final class HiredisCommandEncoder {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var argv: [UnsafePointer<CChar>?] = []
    private var lengths: [Int] = []

    func encode(_ command: RedisCommand, into buffer: inout ByteBuffer) throws {
        guard !command.arguments.isEmpty else {
            throw RedisError(.invalidCommand, "a Redis command needs at least its name")
        }
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        for argument in command.arguments {
            switch argument {
            case .string(let text): bytes.append(contentsOf: text.utf8)
            case .bytes(let data): bytes.append(contentsOf: data)
            case .integer(let number): bytes.append(contentsOf: String(number).utf8)
            }
            ends.append(bytes.count)
        }
        // Never empty, so the base address exists even when every argument is "".
        bytes.append(0)

        argv.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        let length = bytes.withUnsafeBufferPointer { storage -> Int32 in
            let base = UnsafeRawPointer(storage.baseAddress!).assumingMemoryBound(to: CChar.self)
            var start = 0
            for end in ends {
                argv.append(base + start)
                lengths.append(end - start)
                start = end
            }
            var formatted: UnsafeMutablePointer<CChar>? = nil
            let length = redisFormatCommandArgv(&formatted, Int32(argv.count), &argv, lengths)
            if let formatted {
                if length > 0 { buffer.writeBytes(UnsafeRawBufferPointer(start: formatted, count: Int(length))) }
                redisFreeCommand(formatted)
            }
            return length
        }
        argv.removeAll(keepingCapacity: true)  // drop the pointers into `bytes` as soon as possible
        guard length > 0 else {
            throw RedisError(.invalidCommand, "hiredis could not format the command (out of memory)")
        }
    }
}
