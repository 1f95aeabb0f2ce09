import CRabbitMQ

/// Converts between `AMQPFieldValue` and rabbitmq-c's `amqp_table_t` / `amqp_field_value_t`.
enum FieldTableCoding {
    static func encode(_ table: [String: AMQPFieldValue], in pool: ScratchPool) -> amqp_table_t {
        guard !table.isEmpty else { return amqp_table_t(num_entries: 0, entries: nil) }
        let entries = pool.allocate(amqp_table_entry_t.self, count: table.count)
        // Sorted so that the encoding is deterministic (tests, logs, broker argument equivalence).
        for (index, (key, value)) in table.sorted(by: { $0.key < $1.key }).enumerated() {
            entries[index] = amqp_table_entry_t(key: pool.bytes(key), value: encode(value, in: pool))
        }
        return amqp_table_t(num_entries: Int32(table.count), entries: entries)
    }

    static func encode(_ value: AMQPFieldValue, in pool: ScratchPool) -> amqp_field_value_t {
        var field = amqp_field_value_t()
        func kind(_ k: amqp_field_value_kind_t) { field.kind = UInt8(truncatingIfNeeded: k.rawValue) }
        switch value {
        case .bool(let v): kind(AMQP_FIELD_KIND_BOOLEAN); field.value.boolean = v ? 1 : 0
        case .int8(let v): kind(AMQP_FIELD_KIND_I8); field.value.i8 = v
        case .uint8(let v): kind(AMQP_FIELD_KIND_U8); field.value.u8 = v
        case .int16(let v): kind(AMQP_FIELD_KIND_I16); field.value.i16 = v
        case .uint16(let v): kind(AMQP_FIELD_KIND_U16); field.value.u16 = v
        case .int32(let v): kind(AMQP_FIELD_KIND_I32); field.value.i32 = v
        case .uint32(let v): kind(AMQP_FIELD_KIND_U32); field.value.u32 = v
        case .int64(let v): kind(AMQP_FIELD_KIND_I64); field.value.i64 = v
        case .uint64(let v): kind(AMQP_FIELD_KIND_U64); field.value.u64 = v
        case .float(let v): kind(AMQP_FIELD_KIND_F32); field.value.f32 = v
        case .double(let v): kind(AMQP_FIELD_KIND_F64); field.value.f64 = v
        case .decimal(let scale, let v):
            kind(AMQP_FIELD_KIND_DECIMAL); field.value.decimal = amqp_decimal_t(decimals: scale, value: v)
        case .string(let v): kind(AMQP_FIELD_KIND_UTF8); field.value.bytes = pool.bytes(v)
        case .bytes(let v): kind(AMQP_FIELD_KIND_BYTES); field.value.bytes = pool.bytes(v)
        case .timestamp(let v): kind(AMQP_FIELD_KIND_TIMESTAMP); field.value.u64 = v
        case .table(let v): kind(AMQP_FIELD_KIND_TABLE); field.value.table = encode(v, in: pool)
        case .array(let values):
            kind(AMQP_FIELD_KIND_ARRAY)
            let entries = pool.allocate(amqp_field_value_t.self, count: max(values.count, 1))
            for (index, element) in values.enumerated() { entries[index] = encode(element, in: pool) }
            field.value.array = amqp_array_t(num_entries: Int32(values.count), entries: values.isEmpty ? nil : entries)
        case .void: kind(AMQP_FIELD_KIND_VOID)
        }
        return field
    }

    static func decode(_ table: amqp_table_t) -> [String: AMQPFieldValue] {
        guard let entries = table.entries, table.num_entries > 0 else { return [:] }
        var result: [String: AMQPFieldValue] = [:]
        for index in 0..<Int(table.num_entries) {
            result[String(amqpBytes: entries[index].key)] = decode(entries[index].value)
        }
        return result
    }

    static func decode(_ field: amqp_field_value_t) -> AMQPFieldValue {
        func isKind(_ k: amqp_field_value_kind_t) -> Bool { field.kind == UInt8(truncatingIfNeeded: k.rawValue) }
        if isKind(AMQP_FIELD_KIND_BOOLEAN) { return .bool(field.value.boolean != 0) }
        if isKind(AMQP_FIELD_KIND_I8) { return .int8(field.value.i8) }
        if isKind(AMQP_FIELD_KIND_U8) { return .uint8(field.value.u8) }
        if isKind(AMQP_FIELD_KIND_I16) { return .int16(field.value.i16) }
        if isKind(AMQP_FIELD_KIND_U16) { return .uint16(field.value.u16) }
        if isKind(AMQP_FIELD_KIND_I32) { return .int32(field.value.i32) }
        if isKind(AMQP_FIELD_KIND_U32) { return .uint32(field.value.u32) }
        if isKind(AMQP_FIELD_KIND_I64) { return .int64(field.value.i64) }
        if isKind(AMQP_FIELD_KIND_U64) { return .uint64(field.value.u64) }
        if isKind(AMQP_FIELD_KIND_F32) { return .float(field.value.f32) }
        if isKind(AMQP_FIELD_KIND_F64) { return .double(field.value.f64) }
        if isKind(AMQP_FIELD_KIND_DECIMAL) {
            return .decimal(scale: field.value.decimal.decimals, value: field.value.decimal.value)
        }
        if isKind(AMQP_FIELD_KIND_UTF8) { return .string(String(amqpBytes: field.value.bytes)) }
        if isKind(AMQP_FIELD_KIND_BYTES) { return .bytes([UInt8](amqpBytes: field.value.bytes)) }
        if isKind(AMQP_FIELD_KIND_TIMESTAMP) { return .timestamp(field.value.u64) }
        if isKind(AMQP_FIELD_KIND_TABLE) { return .table(decode(field.value.table)) }
        if isKind(AMQP_FIELD_KIND_ARRAY) {
            let array = field.value.array
            guard let entries = array.entries, array.num_entries > 0 else { return .array([]) }
            return .array((0..<Int(array.num_entries)).map { decode(entries[$0]) })
        }
        return .void
    }

    /// Encodes to the AMQP wire format and decodes again with rabbitmq-c: lets unit tests check
    /// the conversion in both directions without a broker.
    static func roundTrip(_ table: [String: AMQPFieldValue]) -> [String: AMQPFieldValue]? {
        let pool = ScratchPool()
        var input = encode(table, in: pool)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 65_536, alignment: 8)
        defer { buffer.deallocate() }
        var offset = 0
        guard amqp_encode_table(amqp_bytes_t(len: 65_536, bytes: buffer), &input, &offset) == 0 else { return nil }
        let decodePool = UnsafeMutablePointer<amqp_pool_t>.allocate(capacity: 1)
        init_amqp_pool(decodePool, 4096)
        defer {
            empty_amqp_pool(decodePool)
            decodePool.deallocate()
        }
        var output = amqp_table_t()
        var readOffset = 0
        guard amqp_decode_table(amqp_bytes_t(len: offset, bytes: buffer), decodePool, &output, &readOffset) == 0 else {
            return nil
        }
        return decode(output)
    }
}
