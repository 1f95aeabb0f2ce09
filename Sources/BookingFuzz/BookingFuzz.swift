// Two builds of one file. `scripts/fuzz` builds it with `-sanitize=fuzzer,address -D FUZZING`:
// libFuzzer then drives `LLVMFuzzerTestOneInput` with the target that `BOOKING_FUZZ_TARGET` names.
// The ordinary build is a replay tool, to run saved inputs through a target's checks without the
// sanitizers: `BookingFuzz TARGET FILE...`.

#if canImport(Glibc)
import Glibc
#endif
import FuzzTargets

#if FUZZING
/// Read once, before the first input: which parser the fuzzer feeds.
nonisolated(unsafe) private var selected: FuzzTarget = .json

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> CInt {
    guard let name = getenv("BOOKING_FUZZ_TARGET").map({ String(cString: $0) }), let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        printError("BookingFuzz: set BOOKING_FUZZ_TARGET to one of \(names)")
        exit(2)
    }
    selected = target
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    do {
        try selected.check(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    } catch {
        // libFuzzer saves the input that stopped the process (a crash-… file).
        fatalError("\(selected.rawValue): \(error)")
    }
    return 0
}
#endif

/// A line on standard error (the C `stderr` is a global Swift 6 will not share).
func printError(_ message: String) {
    var line = message + "\n"
    line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
}

@main
enum BookingFuzz {
    static func main() {
        #if FUZZING
        // The fuzzing build links libFuzzer's `main` beside this one, and which of the two the
        // linker keeps depends on the build; this one hands over to the same driver.
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { testOneInput($0, $1) })
        #else
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTarget(rawValue: name), arguments.count > 1 else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
            printError("usage: BookingFuzz \(names) FILE...   (runs each file through the target's checks)")
            exit(2)
        }
        var failures = 0
        for path in arguments.dropFirst() {
            guard let bytes = readFile(path) else {
                printError("BookingFuzz: cannot read \(path)")
                exit(1)
            }
            do {
                try target.check(bytes)
            } catch {
                printError("\(path): \(error)")
                failures += 1
            }
        }
        print("\(arguments.count - 1 - failures) of \(arguments.count - 1) inputs passed the \(target.rawValue) checks")
        if failures > 0 { exit(1) }
        #endif
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            bytes.append(contentsOf: chunk[0..<count])
            if count < chunk.count { return ferror(file) == 0 ? bytes : nil }
        }
    }
}
