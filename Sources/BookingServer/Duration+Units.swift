extension Duration {
    /// Whole nanoseconds (the attosecond remainder dropped), for metrics and clocks that count in them.
    var wholeNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }

    /// Milliseconds with three decimals (`0.412`), as health checks and access logs show latency.
    var millisecondsText: String {
        let micros = wholeNanoseconds / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
