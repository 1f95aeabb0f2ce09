import Foundation

/// A line on stderr every second while load runs: answers so far, the last second's rate, the
/// unexpected answers and transport errors so far (`scripts/cluster chaos` reads these lines to
/// find the seconds without an expected answer).
enum ProgressLine {
    static func report(label: String, counters: LiveCounters) async {
        let clock = ContinuousClock()
        let start = clock.now
        var previous = 0
        while (try? await Task.sleep(for: .seconds(1))) != nil {
            let answered = counters.answered
            let elapsed = (clock.now - start).components.seconds
            let line = "[\(label) \(elapsed) s] \(answered) answered, \(answered - previous)/s, "
                + "\(counters.unexpected) unexpected answers, \(counters.transportErrors) transport errors\n"
            FileHandle.standardError.write(Data(line.utf8))
            previous = answered
        }
    }
}

extension ProgressLine {
    /// A line about the run's setup or checks, on stderr with the progress lines.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data("… \(text)\n".utf8))
    }
}
