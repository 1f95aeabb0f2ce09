import Foundation

/// A run's summary as Markdown: readable in a terminal, and pasted as is into BENCHMARKS.md.
enum SummaryTable {
    static func render(_ summary: RunSummary) -> String {
        var lines = [
            "**\(summary.scenario)** — \(summary.mode); events \(summary.events.map(String.init).joined(separator: ", ")); "
                + "\(decimal(summary.elapsedSeconds, 2)) s from first request to last answer",
            "",
            "| operation | answered | per second | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | answers |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
        ]
        for operation in summary.operations {
            let latency = operation.latency
            let answers = operation.answers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
                + operation.transportErrors.sorted { $0.key < $1.key }.map { "no answer (\($0.key)): \($0.value)" }
            lines.append(
                "| \(operation.operation) | \(operation.answered) | \(decimal(operation.perSecond, 0)) | "
                    + [latency.p50Ms, latency.p90Ms, latency.p99Ms, latency.p999Ms, latency.maxMs]
                    .map { decimal($0, 2) }.joined(separator: " | ")
                    + " | \(answers.joined(separator: ", ")) |"
            )
        }
        lines.append("")
        lines.append(
            "\(summary.successLabel): \(summary.successes) (\(decimal(summary.successesPerSecond, 0))/s until the last of them); "
                + "transport errors: \(summary.transportErrorCount); unexpected answers: \(summary.unexpectedAnswerCount); "
                + "generator CPU \(decimal(summary.generatorCpuSeconds, 2)) s (\(decimal(summary.generatorCpuPercent, 0))% of one core)"
        )
        if let checkout = summary.checkout {
            lines.append("")
            lines.append(
                "Checkout: \(checkout.holdsGranted) holds granted, \(decimal(checkout.holdsPerSecond, 0))/s over "
                    + "\(decimal(checkout.holdPhaseSeconds, 2)) s; then \(checkout.confirms) confirmed "
                    + "(\(decimal(checkout.confirmsPerSecond, 0))/s over \(decimal(checkout.settlePhaseSeconds, 2)) s), "
                    + "\(checkout.cancels) cancelled, \(checkout.lapses) left to lapse; "
                    + "\(decimal(checkout.checkoutsPerSecond, 0)) checkouts (hold then confirm) per second over both phases"
            )
        }
        if let checks = summary.verification {
            lines.append("")
            lines.append("Verification: " + (summary.verificationPassed == true ? "passed" : "FAILED"))
            for check in checks { lines.append("- \(check.passed ? "ok" : "FAILED"): \(check.name) — \(check.detail)") }
        }
        return lines.joined(separator: "\n")
    }

    /// A number with a fixed count of decimals, whatever the locale.
    static func decimal(_ value: Double, _ places: Int) -> String {
        String(format: "%.\(places)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}
