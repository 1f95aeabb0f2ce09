import Logging
import StrictJSON

/// One log event as one line of JSON: `timestamp` (RFC 3339, UTC, milliseconds), `level`,
/// `label`, `message`, then every metadata entry as a field of its own, so collectors can
/// filter on `request_id` without parsing a nested object. Nested metadata (arrays,
/// dictionaries) stays nested. A metadata key that would overwrite one of the four fixed fields
/// is written as `metadata.<key>` instead.
public enum JSONLogLine {
    static let fixedFields: Set<String> = ["timestamp", "level", "label", "message"]

    /// The line's bytes, ending in `\n`.
    public static func encode(
        microsecondsSinceEpoch: Int64, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata
    ) -> [UInt8] {
        var writer = JSONWriter(reservingCapacity: 128 + message.utf8.count + 48 * metadata.count)
        writer.object { line in
            line.timestampField("timestamp", microsecondsSinceEpoch: microsecondsSinceEpoch)
            line.field("level", level.rawValue)
            line.field("label", label)
            line.field("message", message)
            // Sorted, so that two lines of the same event compare equal and read alike.
            for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
                write(value, as: fixedFields.contains(key) ? "metadata.\(key)" : key, to: &line)
            }
        }
        var bytes = writer.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private static func write(_ value: Logger.MetadataValue, as key: String, to object: inout JSONObjectWriter) {
        switch value {
        case .string(let text): object.field(key, text)
        case .stringConvertible(let convertible): object.field(key, convertible.description)
        case .array(let values): object.arrayField(key) { array in for value in values { write(value, to: &array) } }
        case .dictionary(let entries):
            object.objectField(key) { nested in
                for (key, value) in entries.sorted(by: { $0.key < $1.key }) { write(value, as: key, to: &nested) }
            }
        }
    }

    private static func write(_ value: Logger.MetadataValue, to array: inout JSONArrayWriter) {
        switch value {
        case .string(let text): array.string(text)
        case .stringConvertible(let convertible): array.string(convertible.description)
        case .array(let values): array.array { nested in for value in values { write(value, to: &nested) } }
        case .dictionary(let entries):
            array.object { nested in
                for (key, value) in entries.sorted(by: { $0.key < $1.key }) { write(value, as: key, to: &nested) }
            }
        }
    }
}
