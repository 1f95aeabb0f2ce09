import CRabbitMQ

/// Converts `AMQPProperties` to and from rabbitmq-c's `amqp_basic_properties_t`.
enum BasicProperties {
    static func encode(_ properties: AMQPProperties, in pool: ScratchPool) -> amqp_basic_properties_t {
        var result = amqp_basic_properties_t()
        var flags: UInt32 = 0
        if let messageID = properties.messageID {
            flags |= UInt32(AMQP_BASIC_MESSAGE_ID_FLAG)
            result.message_id = pool.bytes(messageID)
        }
        if let contentType = properties.contentType {
            flags |= UInt32(AMQP_BASIC_CONTENT_TYPE_FLAG)
            result.content_type = pool.bytes(contentType)
        }
        if properties.persistent {
            flags |= UInt32(AMQP_BASIC_DELIVERY_MODE_FLAG)
            result.delivery_mode = 2
        }
        if !properties.headers.isEmpty {
            flags |= UInt32(AMQP_BASIC_HEADERS_FLAG)
            result.headers = FieldTableCoding.encode(properties.headers, in: pool)
        }
        if let timestamp = properties.timestamp {
            flags |= UInt32(AMQP_BASIC_TIMESTAMP_FLAG)
            result.timestamp = timestamp
        }
        result._flags = flags
        return result
    }

    static func decode(_ properties: amqp_basic_properties_t) -> AMQPProperties {
        func has(_ flag: Int32) -> Bool { properties._flags & UInt32(flag) != 0 }
        return AMQPProperties(
            messageID: has(AMQP_BASIC_MESSAGE_ID_FLAG) ? String(amqpBytes: properties.message_id) : nil,
            contentType: has(AMQP_BASIC_CONTENT_TYPE_FLAG) ? String(amqpBytes: properties.content_type) : nil,
            persistent: has(AMQP_BASIC_DELIVERY_MODE_FLAG) && properties.delivery_mode == 2,
            headers: has(AMQP_BASIC_HEADERS_FLAG) ? FieldTableCoding.decode(properties.headers) : [:],
            timestamp: has(AMQP_BASIC_TIMESTAMP_FLAG) ? properties.timestamp : nil
        )
    }
}
