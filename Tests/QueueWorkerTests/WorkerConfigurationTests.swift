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

    @Test(arguments: [
        ("WORKER_CONCURRENCY", "0"), ("WORKER_PREFETCH", "lots"), ("WEBHOOK_MAX_ATTEMPTS", "101"),
        ("WORKER_QUEUE_TYPE", "stream"), ("WEBHOOK_URL", "ftp://example"), ("LOG_LEVEL", "loud"),
        ("NOTIFICATION_QUEUE", "amq.mine"), ("NOTIFICATION_QUEUE", String(repeating: "q", count: 251)),
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
