import Foundation

/// One value of a result row in PostgreSQL's binary format, valid only during the decode call.
public struct PostgresCell {
    /// The column's type, as a PostgreSQL type OID (see ``PostgresType``).
    public let typeOID: UInt32
    public let columnName: String
    /// The value's bytes; nil for SQL NULL.
    public let bytes: UnsafeRawBufferPointer?

    func mismatch(_ swiftType: Any.Type) -> PostgresDecodingError {
        PostgresDecodingError(
            column: columnName,
            reason: "cannot decode PostgreSQL type \(PostgresType.name(of: typeOID)) as \(swiftType)"
        )
    }

    func nonNullBytes(_ swiftType: Any.Type) throws(PostgresDecodingError) -> UnsafeRawBufferPointer {
        guard let bytes else {
            throw PostgresDecodingError(column: columnName, reason: "NULL cannot be decoded as \(swiftType); ask for \(swiftType)?")
        }
        return bytes
    }

    func bigEndianInteger<Value: FixedWidthInteger>(_: Value.Type) throws(PostgresDecodingError) -> Value {
        let bytes = try nonNullBytes(Value.self)
        guard bytes.count == MemoryLayout<Value>.size else {
            throw PostgresDecodingError(column: columnName, reason: "expected \(MemoryLayout<Value>.size) bytes, got \(bytes.count)")
        }
        return Value(bigEndian: bytes.loadUnaligned(as: Value.self))
    }
}

/// Why a column could not become the asked-for Swift type.
public struct PostgresDecodingError: Error, Sendable, CustomStringConvertible {
    public let column: String
    public let reason: String
    public var description: String { "column \(column): \(reason)" }
}

/// A Swift type that a result column decodes into.
public protocol PostgresDecodable {
    init(postgresCell cell: PostgresCell) throws(PostgresDecodingError)
}

/// The type OIDs this client decodes (from PostgreSQL's pg_type.dat).
public enum PostgresType {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let jsonb: UInt32 = 3802

    static func name(of typeOID: UInt32) -> String {
        switch typeOID {
        case Self.bool: "boolean"
        case Self.bytea: "bytea"
        case Self.name: "name"
        case Self.int8: "bigint"
        case Self.int2: "smallint"
        case Self.int4: "integer"
        case Self.text: "text"
        case Self.oid: "oid"
        case Self.json: "json"
        case Self.float4: "real"
        case Self.float8: "double precision"
        case Self.unknown: "unknown"
        case Self.bpchar: "character"
        case Self.varchar: "character varying"
        case Self.timestamp: "timestamp"
        case Self.timestamptz: "timestamptz"
        case Self.numeric: "numeric (cast it to text or float8)"
        case Self.jsonb: "jsonb"
        default: "OID \(typeOID)"
        }
    }
}

extension Int: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        switch cell.typeOID {
        case PostgresType.int8: self = Int(try cell.bigEndianInteger(Int64.self))
        case PostgresType.int4: self = Int(try cell.bigEndianInteger(Int32.self))
        case PostgresType.int2: self = Int(try cell.bigEndianInteger(Int16.self))
        case PostgresType.oid: self = Int(try cell.bigEndianInteger(UInt32.self))
        default: throw cell.mismatch(Int.self)
        }
    }
}

extension Int64: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        self = Int64(try Int(postgresCell: cell))
    }
}

extension Int32: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        switch cell.typeOID {
        case PostgresType.int4: self = try cell.bigEndianInteger(Int32.self)
        case PostgresType.int2: self = Int32(try cell.bigEndianInteger(Int16.self))
        default: throw cell.mismatch(Int32.self)
        }
    }
}

extension String: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        switch cell.typeOID {
        case PostgresType.text, PostgresType.varchar, PostgresType.bpchar, PostgresType.name,
            PostgresType.unknown, PostgresType.json:
            self = String(decoding: try cell.nonNullBytes(String.self), as: UTF8.self)
        case PostgresType.jsonb:
            // Binary jsonb is a version byte (1) followed by the JSON text.
            let bytes = try cell.nonNullBytes(String.self)
            guard bytes.first == 1 else { throw cell.mismatch(String.self) }
            self = String(decoding: bytes.dropFirst(), as: UTF8.self)
        default:
            throw cell.mismatch(String.self)
        }
    }
}

extension Bool: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        guard cell.typeOID == PostgresType.bool else { throw cell.mismatch(Bool.self) }
        self = try cell.bigEndianInteger(UInt8.self) != 0
    }
}

extension Double: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        switch cell.typeOID {
        case PostgresType.float8: self = Double(bitPattern: try cell.bigEndianInteger(UInt64.self))
        case PostgresType.float4: self = Double(Float(bitPattern: try cell.bigEndianInteger(UInt32.self)))
        default: throw cell.mismatch(Double.self)
        }
    }
}

extension Date: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        guard cell.typeOID == PostgresType.timestamptz || cell.typeOID == PostgresType.timestamp else {
            throw cell.mismatch(Date.self)
        }
        guard let date = PostgresTimestamp.date(microsecondsSince2000: try cell.bigEndianInteger(Int64.self)) else {
            throw PostgresDecodingError(column: cell.columnName, reason: "infinite timestamp has no Date")
        }
        self = date
    }
}

extension Array: PostgresDecodable where Element == UInt8 {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        guard cell.typeOID == PostgresType.bytea else { throw cell.mismatch([UInt8].self) }
        self = Array(try cell.nonNullBytes([UInt8].self))
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresCell cell: PostgresCell) throws(PostgresDecodingError) {
        self = cell.bytes == nil ? nil : try Wrapped(postgresCell: cell)
    }
}
