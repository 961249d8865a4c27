import MailTesting
import Testing

@Suite("linkmail usage and exit codes")
struct LinkmailUsageTests {
    @Test("--help prints usage and exits 0")
    func help() async throws {
        let result = try await LinkmailRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("usage: linkmail <command>"))
    }

    @Test("version prints the version")
    func version() async throws {
        let result = try await LinkmailRunner.run(["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("linkmail "))
    }

    @Test("no command, an unknown command or a stray argument is a usage error (exit 2)")
    func usageErrors() async throws {
        #expect(try await LinkmailRunner.run([]).status == 2)
        let unknown = try await LinkmailRunner.run(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("unknown command frobnicate"))
        #expect(try await LinkmailRunner.run(["version", "extra"]).status == 2)
    }
}
