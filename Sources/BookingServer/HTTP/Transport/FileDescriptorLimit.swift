#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Every connection is a file descriptor. With too few, accept fails (EMFILE) and new clients
/// wait in the backlog, the hang the connection cap exists to prevent; so the soft limit is
/// raised towards the hard one, and the cap lowered to what fits.
enum FileDescriptorLimit {
    /// The cap to enforce: `wanted`, or fewer if the process cannot hold `wanted + reserved`
    /// descriptors even after raising its soft limit (which it does, up to the hard limit).
    static func connectionCap(wanted: Int, reserved: Int, logger: Logger) -> Int {
        let needed = wanted + reserved
        let available = raiseSoftLimit(toAtLeast: needed)
        guard available < needed else { return wanted }
        let cap = max(1, available - reserved)
        logger.warning(
            "HTTP_MAX_CONNECTIONS lowered to what the file-descriptor limit allows",
            metadata: ["wanted": "\(wanted)", "cap": "\(cap)", "nofile": "\(available)"]
        )
        return cap
    }

    /// The soft RLIMIT_NOFILE after raising it to `needed` where the hard limit allows.
    static func raiseSoftLimit(toAtLeast needed: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return needed }
        if limit.rlim_cur == unlimited || limit.rlim_cur >= rlim_t(needed) { return clamp(limit.rlim_cur) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max == unlimited ? rlim_t(needed) : min(limit.rlim_max, rlim_t(needed))
        if setrlimit(resourceNoFile, &raised) == 0 { return clamp(raised.rlim_cur) }
        return clamp(limit.rlim_cur)
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value == unlimited || value > rlim_t(Int.max) ? Int.max : Int(value)
    }

    /// RLIM_INFINITY, which Swift does not import (a C macro of -1 in an unsigned type).
    private static let unlimited = rlim_t.max

    #if canImport(Glibc)
    private static let resourceNoFile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNoFile = RLIMIT_NOFILE
    #endif
}
