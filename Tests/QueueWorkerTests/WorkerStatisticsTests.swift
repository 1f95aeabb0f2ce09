import Telemetry
import Testing

@testable import QueueWorker

@Suite("Worker statistics")
struct WorkerStatisticsTests {
    @Test func eachCountIsAlsoAPrometheusCounterUnderTheNamesOfTheAPI() async throws {
        let exporter = PrometheusExporter()
        let statistics = WorkerStatistics(factory: exporter.factory)
        statistics.count(.consumed)
        statistics.count(.consumed)
        statistics.count(.retried)
        statistics.count(.deadLettered)
        #expect(statistics[.consumed] == 2)

        let text = String(decoding: await exporter.exposition(), as: UTF8.self)
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains("booking_messages_consumed_total 2"), "\(text)")
        #expect(lines.contains("booking_messages_retried_total 1"), "\(text)")
        #expect(lines.contains("booking_messages_dead_lettered_total 1"), "\(text)")
        #expect(lines.contains("booking_messages_duplicate_total 0"), "\(text)")
    }
}
