import Telemetry
import Testing

@testable import QueueWorker

@Suite("Worker configuration")
struct WorkerConfigurationTests {
    @Test func anEmptyEnvironmentGivesTheLocalDefaults() throws {
        let configuration = try WorkerConfiguration(environment: [:])
        #expect(configuration.topology.queue == "booking-notifications")
        #expect(configuration.topology.deadLetterQueue == "booking-notifications.dlq")
        #expect(configuration.topology.queueType == .classic)
        #expect(configuration.webhookURL == nil)
        #expect(configuration.webhookSecret == nil, "unsigned unless WEBHOOK_SECRET is set")
        #expect(configuration.webhookMaxAttempts == 5)
        #expect(configuration.concurrency == 1, "without a webhook one lane records in batches")
        #expect(configuration.prefetch == 256)
    }

    @Test func aWebhookGivesEightLanesUnlessConcurrencyIsSet() throws {
        let webhook = "http://127.0.0.1:9000/hook"
        #expect(try WorkerConfiguration(environment: ["WEBHOOK_URL": webhook]).concurrency == 8)
        #expect(try WorkerConfiguration(environment: ["WEBHOOK_URL": webhook, "WORKER_CONCURRENCY": "3"]).concurrency == 3)
        #expect(try WorkerConfiguration(environment: ["WORKER_CONCURRENCY": "4"]).concurrency == 4)
    }

    @Test func setValuesAreRead() throws {
        let configuration = try WorkerConfiguration(environment: [
            "WEBHOOK_URL": "http://127.0.0.1:9000/hook", "WEBHOOK_MAX_ATTEMPTS": "3", "WORKER_CONCURRENCY": "2",
            "WORKER_QUEUE_TYPE": "Quorum", "NOTIFICATION_QUEUE": "mine", "WEBHOOK_BACKOFF_MS": "250",
        ])
        #expect(configuration.webhookURL == "http://127.0.0.1:9000/hook")
        #expect(configuration.retryPolicy.maxAttempts == 3)
        #expect(configuration.retryPolicy.initialDelay == .milliseconds(250))
        #expect(configuration.concurrency == 2)
        #expect(configuration.topology.queueType == .quorum)
        #expect(configuration.topology.deadLetterQueue == "mine.dlq")
    }

    @Test func webhookSecretIsReadAsSetAndAnEmptyOneMeansUnsigned() throws {
        let secret = "0123456789abcdef"
        #expect(try WorkerConfiguration(environment: ["WEBHOOK_SECRET": secret]).webhookSecret == secret, "16 bytes, the minimum")
        #expect(try WorkerConfiguration(environment: ["WEBHOOK_SECRET": "sécret-01234567"]).webhookSecret == "sécret-01234567", "16 bytes in 15 characters")
        #expect(try WorkerConfiguration(environment: ["WEBHOOK_SECRET": ""]).webhookSecret == nil)
    }

    @Test(arguments: ["0123456789abcde", "short", "   ", "  0123456789abcdef", "0123456789abcdef\n", String(repeating: " ", count: 20)])
    func aShortOrPaddedWebhookSecretIsRefusedWithoutShowingIt(secret: String) {
        do {
            _ = try WorkerConfiguration(environment: ["WEBHOOK_SECRET": secret])
            Issue.record("WEBHOOK_SECRET=\(secret.debugDescription) was accepted")
        } catch {
            #expect("\(error)".contains("WEBHOOK_SECRET"), "\(error)")
            #expect(!"\(error)".contains(secret), "the error shows the secret: \(error)")
        }
    }

    @Test func aTooShortWebhookSecretSaysTheMinimum() {
        let error = #expect(throws: InvalidConfigurationValue.self) {
            try WorkerConfiguration(environment: ["WEBHOOK_SECRET": "fifteen-bytes!!"])
        }
        #expect(error?.description == "WEBHOOK_SECRET must be at least 16 bytes, not 15 (the value is not shown)")
    }

    @Test(arguments: [
        ("WORKER_CONCURRENCY", "0"), ("WORKER_PREFETCH", "lots"), ("WEBHOOK_MAX_ATTEMPTS", "101"),
        ("WORKER_QUEUE_TYPE", "stream"), ("WEBHOOK_URL", "ftp://example"), ("LOG_LEVEL", "loud"),
        ("NOTIFICATION_QUEUE", "amq.mine"), ("NOTIFICATION_QUEUE", String(repeating: "q", count: 251)),
        ("WEBHOOK_SECRET", "too-short"),
    ])
    func aMalformedValueIsAnErrorThatNamesTheVariable(name: String, value: String) {
        do {
            _ = try WorkerConfiguration(environment: [name: value])
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect("\(error)".contains(name), "\(error)")
        }
    }
}
