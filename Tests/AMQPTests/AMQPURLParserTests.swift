import XCTest
@testable import AMQP

final class AMQPURLParserTests: XCTestCase {
    func testFullURLIsParsedAndVhostPercentDecoded() throws {
        let configuration = try AMQPConfiguration(url: "amqp://booking:s%40cret@127.0.0.1:56720/%2F")
        XCTAssertEqual(configuration.host, "127.0.0.1")
        XCTAssertEqual(configuration.port, 56720)
        XCTAssertEqual(configuration.username, "booking")
        XCTAssertEqual(configuration.password, "s@cret")
        XCTAssertEqual(configuration.virtualHost, "/")
    }

    func testMissingPartsTakeTheAMQPDefaults() throws {
        let configuration = try AMQPConfiguration(url: "amqp://rabbit.local")
        XCTAssertEqual(configuration.username, "guest")
        XCTAssertEqual(configuration.password, "guest")
        XCTAssertEqual(configuration.port, 5672)
        XCTAssertEqual(configuration.virtualHost, "/")
        XCTAssertEqual(try AMQPConfiguration(url: "amqp://h/").virtualHost, "/")
    }

    func testNamedVhostAndIPv6Host() throws {
        let configuration = try AMQPConfiguration(url: "amqp://u:p@[::1]:5673/bookings%2Fprod")
        XCTAssertEqual(configuration.host, "::1")
        XCTAssertEqual(configuration.port, 5673)
        XCTAssertEqual(configuration.virtualHost, "bookings/prod")
    }

    func testMalformedURLsThrowInvalidURL() {
        let bad = [
            "http://host/", "amqps://host/", "amqp://", "amqp://:5672/", "amqp://host:notaport/",
            "amqp://host:70000/", "amqp://host/a/b", "amqp://host/%zz", "amqp://[::1/", "amqp://host/?heartbeat=5",
        ]
        for url in bad {
            XCTAssertThrowsError(try AMQPConfiguration(url: url), url) { error in
                XCTAssertEqual((error as? AMQPError)?.kind, .invalidURL, url)
            }
        }
    }

    func testErrorMessageHidesThePassword() {
        XCTAssertThrowsError(try AMQPConfiguration(url: "amqp://user:hunter2@host:x/")) { error in
            let text = "\(error)"
            XCTAssertFalse(text.contains("hunter2"), text)
            XCTAssertTrue(text.contains("port"), text)
        }
    }
}
