/// A short random tag in every user id a run makes up, so that runs never share users and one
/// run's bookings never show up in another's lists.
enum RunTag {
    static func make() -> String {
        String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }
}
