import Foundation
import Postgres
import Testing

@Suite struct PostgresDecodingTests {
    @Test func everyDecodedTypeComesBackWithItsValue() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let rows = try await client.query(PostgresQuery("""
            SELECT 9007199254740991::int8, -7::int4, 3::int2, 'Zoë 🎟'::text, 'x'::varchar, true, false,
                   1.5::float8, 0.25::float4, '2026-11-23T10:00:00.123Z'::timestamptz,
                   NULL::int8, NULL::text, '\\x00ff'::bytea
            """))
        #expect(rows.count == 1)
        let row = rows[0]
        #expect(try row.decode(0, as: Int.self) == 9_007_199_254_740_991)
        #expect(try row.decode(1, as: Int.self) == -7)
        #expect(try row.decode(2, as: Int.self) == 3)
        #expect(try row.decode(3, as: String.self) == "Zoë 🎟")
        #expect(try row.decode(4, as: String.self) == "x")
        #expect(try row.decode(5, as: Bool.self) == true)
        #expect(try row.decode(6, as: Bool.self) == false)
        #expect(try row.decode(7, as: Double.self) == 1.5)
        #expect(try row.decode(8, as: Double.self) == 0.25)
        #expect(try row.decode(9, as: Date.self) == Date(timeIntervalSince1970: 1_795_428_000.123))
        #expect(try row.decode(10, as: Int?.self) == nil)
        #expect(try row.decode(11, as: String?.self) == nil)
        #expect(try row.decode(12, as: [UInt8].self) == [0x00, 0xFF])
    }

    @Test func bindParametersRoundTripByteForByte() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let when = Date(timeIntervalSince1970: 1_795_428_000.123456)
        let strings = ["Zoë 🎟", "' OR 1=1 --", "a/b", "\u{200B}zero-width", String(repeating: "é", count: 128)]
        for text in strings {
            let rows = try await client.query(PostgresQuery(
                "SELECT $1::text, $2::int8, $3::bool, $4::float8, $5::timestamptz, $6::text, octet_length($1::text)",
                binds: [.init(text), .init(Int.min + 1), true, .init(0.1), .init(when), nil]
            ))
            let row = rows[0]
            #expect(try row.decode(0, as: String.self) == text)
            #expect(try row.decode(6, as: Int.self) == text.utf8.count)
            #expect(try row.decode(1, as: Int.self) == Int.min + 1)
            #expect(try row.decode(2, as: Bool.self))
            #expect(try row.decode(3, as: Double.self) == 0.1)
            let decoded = try row.decode(4, as: Date.self)
            #expect(abs(decoded.timeIntervalSince(when)) < 0.000_001)
            #expect(try row.decode(5, as: String?.self) == nil)
        }
    }

    @Test func arrayBindsArriveElementByElement() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let texts = [
            "Zoë 🎟", "", "NULL", "a,b", "{x}", #"say "hi""#, #"back\slash"#, #"\""#, " spaced ", "tab\there",
            "\u{200B}", String(repeating: "é", count: 64),
        ]
        let rows = try await client.query(PostgresQuery(
            "SELECT t, n, i, octet_length(t) FROM unnest($1::text[], $2::int4[], $3::int8[]) WITH ORDINALITY AS a(t, n, i, o) ORDER BY o",
            binds: [
                PostgresBind(array: texts), PostgresBind(array: texts.indices.map { $0 % 3 == 0 ? nil : $0 }),
                PostgresBind(array: texts.indices.map { Int64($0) - 1 << 40 }),
            ]
        ))
        #expect(rows.count == texts.count)
        for (index, row) in rows.enumerated() {
            #expect(try row.decode(0, as: String.self) == texts[index])
            #expect(try row.decode(3, as: Int.self) == texts[index].utf8.count)
            #expect(try row.decode(1, as: Int?.self) == (index % 3 == 0 ? nil : index))
            #expect(try row.decode(2, as: Int64.self) == Int64(index) - 1 << 40)
        }
        let empty = try await client.query(PostgresQuery(
            "SELECT cardinality($1::text[]), cardinality($2::int4[])", binds: [PostgresBind(array: [String]()), PostgresBind(array: [Int?]())]
        ))
        #expect(try empty[0].decode(0, as: Int.self) == 0)
        #expect(try empty[0].decode(1, as: Int.self) == 0)
    }

    @Test func columnsDecodeByName() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let rows = try await client.query(PostgresQuery("SELECT 1::int4 AS seat_no, 'u'::text AS user_id"))
        #expect(try rows[0].decode("user_id", as: String.self) == "u")
        #expect(try rows[0].decode("seat_no", as: Int.self) == 1)
        #expect(throws: PostgresDecodingError.self) { try rows[0].decode("missing", as: Int.self) }
    }

    @Test func typeMismatchIsAClearError() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let rows = try await client.query(PostgresQuery("SELECT 'seven'::text AS word, NULL::int8 AS nothing, 1.5::numeric AS n"))
        let mismatch = #expect(throws: PostgresDecodingError.self) { try rows[0].decode(0, as: Int.self) }
        #expect(mismatch?.description == "column word: cannot decode PostgreSQL type text as Int")
        let null = #expect(throws: PostgresDecodingError.self) { try rows[0].decode(1, as: Int.self) }
        #expect(null?.description.contains("NULL cannot be decoded as Int") == true)
        let numeric = #expect(throws: PostgresDecodingError.self) { try rows[0].decode(2, as: Double.self) }
        #expect(numeric?.description.contains("numeric") == true)
    }

    @Test func affectedRowsAreReported() async throws {
        let client = try TestDatabase.client()
        defer { client.close() }
        let rows = try await client.query(PostgresQuery("SELECT generate_series(1, $1::int)", binds: [5]))
        #expect(rows.count == 5)
        #expect(rows.affectedRows == 5)
        #expect(try rows.map { try $0.decode(0, as: Int.self) } == [1, 2, 3, 4, 5])
    }
}
