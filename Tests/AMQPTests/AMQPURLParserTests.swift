import Testing
@testable import AMQP

@Suite struct AMQPURLParserTests {
    @Test func fullURLIsParsedAndVhostPercentDecoded() throws {
        let configuration = try AMQPConfiguration(url: "amqp://booking:s%40cret@127.0.0.1:56720/%2F")
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 56720)
        #expect(configuration.username == "booking")
        #expect(configuration.password == "s@cret")
        #expect(configuration.virtualHost == "/")
    }

    @Test func missingPartsTakeTheAMQPDefaults() throws {
        let configuration = try AMQPConfiguration(url: "amqp://rabbit.local")
        #expect(configuration.username == "guest")
        #expect(configuration.password == "guest")
        #expect(configuration.port == 5672)
        #expect(configuration.virtualHost == "/")
        #expect(try AMQPConfiguration(url: "amqp://h/").virtualHost == "/")
    }

    @Test func namedVhostAndIPv6Host() throws {
        let configuration = try AMQPConfiguration(url: "amqp://u:p@[::1]:5673/bookings%2Fprod")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5673)
        #expect(configuration.virtualHost == "bookings/prod")
    }

    @Test func severalBrokersAreTriedInTheirOrder() throws {
        let configuration = try AMQPConfiguration(url: "amqp://u:p@rabbit-1:5672,rabbit-2,[::1]:5674/v")
        #expect(configuration.brokers == [
            AMQPBroker(host: "rabbit-1", port: 5672), AMQPBroker(host: "rabbit-2", port: 5672), AMQPBroker(host: "::1", port: 5674),
        ])
        #expect(configuration.candidates == configuration.brokers)
        #expect(configuration.host == "rabbit-1" && configuration.port == 5672)
        #expect(configuration.username == "u" && configuration.virtualHost == "v")
        let aimed = configuration.aimed(at: configuration.brokers[2])
        #expect(aimed.host == "::1" && aimed.port == 5674 && aimed.brokers == configuration.brokers)
        #expect(configuration.brokers[2].description == "[::1]:5674")

        // One broker: no list, the host and port alone.
        let single = try AMQPConfiguration(url: "amqp://h:5673/")
        #expect(single.brokers.isEmpty)
        #expect(single.candidates == [AMQPBroker(host: "h", port: 5673)])
    }

    @Test func malformedURLsThrowInvalidURL() {
        let bad = [
            "http://host/", "amqps://host/", "amqp://", "amqp://:5672/", "amqp://host:notaport/",
            "amqp://host:70000/", "amqp://host/a/b", "amqp://host/%zz", "amqp://[::1/", "amqp://host/?heartbeat=5",
            "amqp://h1,,h2/", "amqp://h1,/", "amqp://h1,h2:0/", "amqp://,h2/",
        ]
        for url in bad {
            if let error = #expect(throws: (any Error).self, "\(url)", performing: { try AMQPConfiguration(url: url) }) {
                #expect((error as? AMQPError)?.kind == .invalidURL, "\(url)")
            }
        }
    }

    @Test func errorMessageHidesThePassword() {
        if let error = #expect(throws: (any Error).self, performing: { try AMQPConfiguration(url: "amqp://user:hunter2@host:x/") }) {
            let text = "\(error)"
            #expect(!text.contains("hunter2"), "\(text)")
            #expect(text.contains("port"), "\(text)")
        }
    }
}
