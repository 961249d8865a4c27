import Testing

@Suite("linkmail usage and exit codes")
struct LinkmailUsageTests {
    @Test("--help prints usage and exits 0")
    func help() throws {
        let result = try LinkmailRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("usage: linkmail <command>"))
    }

    @Test("version prints the version")
    func version() throws {
        let result = try LinkmailRunner.run(["version"])
        #expect(result.status == 0)
        #expect(result.standardOutput.hasPrefix("linkmail "))
    }

    @Test("no command, an unknown command or a stray argument is a usage error (exit 2)")
    func usageErrors() throws {
        #expect(try LinkmailRunner.run([]).status == 2)
        let unknown = try LinkmailRunner.run(["frobnicate"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("unknown command frobnicate"))
        #expect(try LinkmailRunner.run(["version", "extra"]).status == 2)
    }
}
