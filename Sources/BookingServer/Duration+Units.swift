import BookingCore

extension Duration {
    /// Milliseconds with three decimals (`0.412`), as health checks and access logs show latency.
    var millisecondsText: String {
        let micros = wholeNanoseconds / 1000
        let fraction = String(micros % 1000)
        return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
