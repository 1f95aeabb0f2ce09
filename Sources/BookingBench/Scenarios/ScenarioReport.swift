import ArgumentParser
import Foundation

/// How every scenario ends: the verification, the summary (table or JSON) on stdout, and the exit
/// status: 1 when requests failed or got unexpected answers (unless tolerated), 2 when the
/// verification failed.
enum ScenarioReport {
    static func finish(
        scenario: String, load: LoadOptions, verify: VerifyOptions, api: APIClient,
        statistics: LoadStatistics, successLabels: Set<String>, targets: [RunVerifier.Target],
        checkout: RunSummary.CheckoutFigures? = nil, extraChecks: [RunSummary.Check] = []
    ) async throws {
        var checks: [RunSummary.Check]?
        if let verifier = verify.verifier {
            ProgressLine.note("verifying event(s) \(targets.map(\.eventID)) against PostgreSQL and the API")
            checks = try await verifier.verify(targets, api: api) + extraChecks
        } else if !extraChecks.isEmpty {
            checks = extraChecks
        }
        var summary = RunSummary(
            scenario: scenario, mode: load.modeDescription, events: targets.map(\.eventID), statistics: statistics,
            successLabels: successLabels, verification: checks
        )
        summary.checkout = checkout
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(summary)
        if let path = load.summaryFile { try json.write(to: URL(fileURLWithPath: path)) }
        print(load.json ? String(decoding: json, as: UTF8.self) : SummaryTable.render(summary))

        if summary.verificationPassed == false { throw ExitCode(2) }
        if !load.tolerateErrors, summary.transportErrorCount > 0 || summary.unexpectedAnswerCount > 0 {
            FileHandle.standardError.write(Data(
                "… \(summary.transportErrorCount) transport errors, \(summary.unexpectedAnswerCount) unexpected answers (see the table); --tolerate-errors accepts them\n".utf8
            ))
            throw ExitCode(1)
        }
    }
}
