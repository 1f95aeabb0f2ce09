import CLibPQ

/// Owns one PGresult. A PGresult is read-only once libpq hands it over, and libpq documents that
/// reading one from several threads is safe; that is what makes this class Sendable.
final class ResultStorage: @unchecked Sendable {
    let result: OpaquePointer

    init(_ result: OpaquePointer) { self.result = result }
    deinit { PQclear(result) }
}

/// The rows (if any) of one statement, read in place from libpq's result without copying.
public struct PostgresQueryResult: Sendable, RandomAccessCollection {
    let storage: ResultStorage
    public let columnNames: [String]

    init(_ storage: ResultStorage) {
        self.storage = storage
        let count = PQnfields(storage.result)
        columnNames = (0..<count).map { String(cString: PQfname(storage.result, $0)) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(PQntuples(storage.result)) }
    public subscript(position: Int) -> PostgresRow {
        precondition(position >= 0 && position < endIndex, "row \(position) out of range")
        return PostgresRow(result: self, row: Int32(position))
    }

    /// Rows inserted, updated, deleted or selected, as the server reported it.
    public var affectedRows: Int {
        Int(String(cString: PQcmdTuples(storage.result))) ?? 0
    }
}

/// One row of a ``PostgresQueryResult``; columns are decoded on demand by position or name.
public struct PostgresRow: Sendable {
    let result: PostgresQueryResult
    let row: Int32

    public var columnCount: Int { result.columnNames.count }

    public func decode<Value: PostgresDecodable>(
        _ column: Int, as type: Value.Type = Value.self
    ) throws(PostgresDecodingError) -> Value {
        let storage = result.storage.result
        guard column >= 0, column < columnCount else {
            throw PostgresDecodingError(column: "#\(column)", reason: "no such column (the row has \(columnCount))")
        }
        let index = Int32(column)
        let cell: PostgresCell
        if PQgetisnull(storage, row, index) == 1 {
            cell = PostgresCell(typeOID: PQftype(storage, index), columnName: result.columnNames[column], bytes: nil)
        } else {
            let pointer = UnsafeRawPointer(PQgetvalue(storage, row, index)!)
            let length = Int(PQgetlength(storage, row, index))
            cell = PostgresCell(
                typeOID: PQftype(storage, index),
                columnName: result.columnNames[column],
                bytes: UnsafeRawBufferPointer(start: pointer, count: length)
            )
        }
        return try Value(postgresCell: cell)
    }

    public func decode<Value: PostgresDecodable>(
        _ column: String, as type: Value.Type = Value.self
    ) throws(PostgresDecodingError) -> Value {
        guard let index = result.columnNames.firstIndex(of: column) else {
            throw PostgresDecodingError(column: column, reason: "no such column")
        }
        return try decode(index, as: type)
    }
}
