import MailTesting
import TestbedSupport
import Testing

@Suite("linkmail usage and exit codes")
struct LinkmailUsageTests {
    @Test("--help prints usage and exits 0")
    func help() async throws {
        let result = try await LinkmailRunner.run(["--help"])
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("usage: linkmail <command>"))
    }

    @Test(
        "every command answers --help with its own usage and exits 0",
        arguments: [
            "audit", "demo", "fetch", "send", "discover", "check", "init", "add", "confirm", "resend", "unlink",
            "update", "sync", "accounts", "identities", "compose", "version",
        ])
    func commandHelp(command: String) async throws {
        let result = try await LinkmailRunner.run([command, "--help"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.hasPrefix("usage: linkmail \(command)"))
        #expect(!result.standardOutput.contains("usage: linkmail <command>"))
    }

    @Test("a command's --help lists its options, and the connection flags where it talks to a server")
    func helpContents() async throws {
        let add = try await LinkmailRunner.run(["add", "-h"])
        #expect(add.standardOutput.contains("--accept-discovered"))
        #expect(add.standardOutput.contains("links a mailbox"))
        #expect(!add.standardOutput.contains("confirm LINK-OR-CODE"))
        let fetch = try await LinkmailRunner.run(["fetch", "--help"])
        #expect(fetch.standardOutput.contains("--max-size BYTES"))
        #expect(fetch.standardOutput.contains("connection flags"))
        #expect(fetch.standardOutput.contains("--password-file FILE"))
        // After `--`, --help is an argument, not a request for help.
        let literal = try await LinkmailRunner.run(["version", "--", "--help"])
        #expect(literal.status == 2)
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
