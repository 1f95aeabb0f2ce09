import Foundation
import Testing

/// The repository carries its own documents, and they name what is there: every path a document
/// or a comment cites exists, nothing points outside the repository, and the README stays short.
@Suite("Documentation")
struct DocumentationTests {
    /// The repository's root: this file is Tests/RepositoryTests/DocumentationTests.swift.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path)
    }

    /// The repository's own text files: sources, tests, scripts, docs, deployment files.
    static func projectFiles() -> [String] {
        var files = ["README.md", "BENCHMARKS.md", "Package.swift", "Dockerfile", "docker-compose.yml", "docker-compose.prod.yml"]
        for folder in ["Sources", "Tests", "scripts", "docs", "deploy", ".ci"] {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(folder + "/" + url.path.dropFirst(base.path.count + 1))
            }
        }
        return files
    }

    /// Repository paths written in backticks or links: `Sources/…`, `Tests/…`, `scripts/…`,
    /// `docs/…` (not the tail of a URL or of another path).
    static func citedPaths(in text: String) -> Set<String> {
        let pattern = #"(?<![\w./-])(?:Sources|Tests|scripts|docs|deploy)/[A-Za-z0-9_+./-]*[A-Za-z0-9_]"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(text.startIndex..., in: text)
        return Set(regex.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } })
    }

    @Test func theReadmeIsAtMostTenThousandBytes() throws {
        let size = try Self.text("README.md").utf8.count
        #expect(size <= 10_000, "README.md is \(size) bytes")
    }

    @Test(arguments: ["README.md", "docs/api.md", "docs/architecture.md", "docs/operations.md", "docs/performance.md", "docs/testing.md"])
    func everyPathADocumentNamesExists(_ document: String) throws {
        let missing = Self.citedPaths(in: try Self.text(document)).filter { !Self.exists($0) }.sorted()
        #expect(missing.isEmpty, "\(document) names paths that do not exist: \(missing)")
    }

    @Test func everyDocumentACommentCitesIsInTheRepository() throws {
        var missing: [String] = []
        for file in Self.projectFiles() where file.hasSuffix(".swift") || file.hasPrefix("scripts/") {
            for cited in Self.citedPaths(in: try Self.text(file)) where cited.hasPrefix("docs/") && !Self.exists(cited) {
                missing.append("\(file): \(cited)")
            }
        }
        #expect(missing.isEmpty, "\(missing)")
    }

    @Test func nothingPointsOutsideTheRepository() throws {
        let outside = "../" + "shared"
        let offenders = try Self.projectFiles().filter { file in
            guard let text = try? Self.text(file) else { return false }
            return text.contains(outside)
        }
        #expect(offenders.isEmpty, "\(offenders)")
    }
}
