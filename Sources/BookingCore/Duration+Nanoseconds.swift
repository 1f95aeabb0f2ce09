extension Duration {
    /// Whole nanoseconds (the attosecond remainder dropped), for metrics and clocks that count in them.
    package var wholeNanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}
