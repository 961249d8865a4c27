import Foundation
import Testing

/// Every Swift code example in README.md and the DocC catalogs compiles.
///
/// Each ```swift block becomes one file under `Snippets/` (its `import` lines at the top, the rest
/// as the body of an `async throws` function), compiled as part of this test target with the
/// same strict settings and upcoming features as every MailLink target (Swift 6, strict
/// concurrency, `ExistentialAny`, `MemberImportVisibility`, warnings as errors). So an example
/// that stops compiling fails the build, and this test fails when an example was changed without
/// regenerating its file: run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`,
/// then build again.
@Suite("Documentation: every Swift example compiles")
struct DocumentationSnippetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let snippets = root + "/Tests/DocumentationTests/Snippets"

    /// The documents examples are taken from: README.md and every `.md` in a `.docc` catalog.
    static func documents() throws -> [String] {
        var found = ["README.md"]
        let sources = try FileManager.default.contentsOfDirectory(atPath: root + "/Sources").sorted()
        for target in sources {
            let catalogs = (try? FileManager.default.contentsOfDirectory(atPath: root + "/Sources/" + target)) ?? []
            for catalog in catalogs.sorted() where catalog.hasSuffix(".docc") {
                let files = try FileManager.default.contentsOfDirectory(atPath: root + "/Sources/\(target)/\(catalog)")
                found += files.sorted().filter { $0.hasSuffix(".md") }.map { "Sources/\(target)/\(catalog)/\($0)" }
            }
        }
        return found
    }

    /// The ```swift blocks of a document, in order.
    static func blocks(in text: String) -> [[String]] {
        var blocks: [[String]] = []
        var current: [String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```swift" {
                current = []
            } else if current != nil, trimmed == "```" {
                blocks.append(current ?? [])
                current = nil
            } else if current != nil {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The file name and contents generated for one block.
    static func file(for block: [String], document: String, index: Int) -> (name: String, contents: String) {
        let base = document.replacingOccurrences(of: "Sources/", with: "").replacingOccurrences(of: ".docc/", with: "-")
            .replacingOccurrences(of: ".md", with: "").replacingOccurrences(of: "/", with: "-")
        let name = "\(base)-\(index)"
        let indent = block.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        let lines = block.map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
        let imports = lines.filter { $0.hasPrefix("import ") }
        let body = lines.filter { !$0.hasPrefix("import ") }
        let identifier = name.map { $0.isLetter || $0.isNumber ? $0 : "_" }
        var contents = "// Generated from \(document), example \(index), by DocumentationSnippetTests: edit the\n"
        contents += "// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.\n"
        contents += imports.sorted().joined(separator: "\n") + (imports.isEmpty ? "" : "\n")
        contents += "\nenum Snippet_\(String(identifier)) {\n    static func run() async throws {\n"
        contents += body.map { $0.isEmpty ? "" : "        " + $0 }.joined(separator: "\n")
        while contents.hasSuffix("\n") { contents.removeLast() }
        contents += "\n    }\n}\n"
        return (name + ".swift", contents)
    }

    static func expectedFiles() throws -> [String: String] {
        var files: [String: String] = [:]
        for document in try documents() {
            let text = try String(contentsOfFile: root + "/" + document, encoding: .utf8)
            // A package manifest (`// swift-tools-version:` first) is not code of a target: skipped.
            let examples = blocks(in: text).filter { !($0.first ?? "").hasPrefix("// swift-tools-version") }
            for (index, block) in examples.enumerated() {
                let file = file(for: block, document: document, index: index + 1)
                files[file.name] = file.contents
            }
        }
        return files
    }

    @Test("the compiled snippet files are exactly the documents' examples")
    func snippetsMatchDocuments() throws {
        let expected = try Self.expectedFiles()
        if ProcessInfo.processInfo.environment["MAILLINK_WRITE_SNIPPETS"] == "1" {
            for name in try FileManager.default.contentsOfDirectory(atPath: Self.snippets) where name.hasSuffix(".swift") {
                try FileManager.default.removeItem(atPath: Self.snippets + "/" + name)
            }
            for (name, contents) in expected {
                try contents.write(toFile: Self.snippets + "/" + name, atomically: true, encoding: .utf8)
            }
        }
        let present = try FileManager.default.contentsOfDirectory(atPath: Self.snippets).filter { $0.hasSuffix(".swift") }
        #expect(Set(present) == Set(expected.keys), "regenerate the snippets (see DocumentationSnippetTests)")
        for (name, contents) in expected {
            let actual = try? String(contentsOfFile: Self.snippets + "/" + name, encoding: .utf8)
            #expect(actual == contents, "\(name) is out of date: regenerate the snippets (see DocumentationSnippetTests)")
        }
        #expect(expected.count >= 8)
    }
}
