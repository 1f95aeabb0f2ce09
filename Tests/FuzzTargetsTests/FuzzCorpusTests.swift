import Foundation
import FuzzTargets
import XCTest

/// The fuzzers' seed corpus (`Fuzz/corpus/TARGET`) and every input that once broke a property
/// (`Fuzz/regressions/TARGET`, where `scripts/fuzz` says to put each crash it finds), run through
/// the same checks as under libFuzzer.
final class FuzzCorpusTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func inputs(_ folder: String, _ target: FuzzTarget) throws -> [(name: String, bytes: [UInt8])] {
        let directory = root.appendingPathComponent("Fuzz/\(folder)/\(target.rawValue)")
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { !$0.hasPrefix(".") }
            .sorted()
            .map { name in (name, Array(try Data(contentsOf: directory.appendingPathComponent(name)))) }
    }

    func testEverySeedOfEveryTargetHoldsItsProperties() throws {
        for target in FuzzTarget.allCases {
            let seeds = try Self.inputs("corpus", target)
            XCTAssertGreaterThanOrEqual(seeds.count, 8, "\(target.rawValue) has a seed corpus")
            for seed in seeds {
                XCTAssertNoThrow(try target.check(seed.bytes), "corpus/\(target.rawValue)/\(seed.name)")
            }
        }
    }

    func testEverySavedCrashHoldsItsPropertiesNow() throws {
        for target in FuzzTarget.allCases {
            for input in try Self.inputs("regressions", target) {
                XCTAssertNoThrow(try target.check(input.bytes), "regressions/\(target.rawValue)/\(input.name)")
            }
        }
    }
}
