import Foundation
import MailTesting
import TestbedSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two `linkmail sync` processes on one home against Dovecot (ivan's mailbox): they never sync
/// at the same time, and nothing is stored twice.
@Suite("Interop: two linkmail sync processes on one home", .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropSyncProcessesTests {
    static func run(_ arguments: [String]) async throws -> ExecutableRunner.Result {
        try await ExecutableRunner.run("linkmail", arguments, unset: ["LINKMAIL_PASSWORD"])
    }

    @Test("while the service syncs, a second process on the home refuses at once; every message is stored once")
    func twoProcesses() async throws {
        let bench = try TestbedEnvironment.required()
        let primary = try bench.claimUser("alice")
        let linked = try bench.claimUser("ivan")
        let lock = try await bench.exclusiveUse(of: [linked])  // InteropSyncWorkersTests links ivan too
        defer { lock.release() }
        try bench.removeAllMessages(of: linked)
        let work = NSTemporaryDirectory() + "linkmail-processes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let home = work + "/home"
        try Data((primary.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/primary"))
        try Data((linked.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/linked"))
        let submission = "\(bench.host):\(bench.submissionPort)"
        #expect(try await Self.run([
            "init", "--home", home, "--primary", primary.address, "--server", submission, "--security", "starttls",
            "--ca", bench.caFile, "--password-file", work + "/primary", "--verify-base-url", "https://mail.example.test/confirm",
        ]).status == 0)
        #expect(try await Self.run([
            "add", linked.address, "--home", home, "--server", "\(bench.host):\(bench.pop3sPort)", "--security", "tls",
            "--ca", bench.caFile, "--password-file", work + "/linked",
        ]).status == 0)
        let confirmation = try await InteropLinkmailAccountTests.waitForMessage(
            in: linked, containing: "https://mail.example.test/confirm?token=")
        let code = try #require(
            confirmation.split(whereSeparator: \.isNewline).map(String.init).first { $0.hasPrefix("    ") && $0.count == 13 })
        #expect(try await Self.run(["confirm", code.trimmingCharacters(in: .whitespaces), "--home", home]).status == 0)

        // Enough mail that the service's pass takes a while: 1,500 messages of 40 KB.
        let count = 1500
        let filler = String(repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", count: 640)
        for number in 1...count {
            try bench.deliver(Data("From: x@example.org\r\nSubject: bulk \(number)\r\n\r\n\(filler)".utf8), to: linked)
        }
        let service = try ExecutableRunner.start(
            "linkmail", ["sync", "--home", home, "--json", "--interval", "600", "--concurrency", "1"],
            unset: ["LINKMAIL_PASSWORD"])
        #expect(await service.waitForOutput(containing: "\"new\":\(count)"), "\(service.outputSoFar)")
        // The service holds the home's Maildir: a second process on the same home refuses at once,
        // saying why, and syncs nothing (it cannot store anything twice).
        let other = try await Self.run(["sync", "--home", home, "--once", "--json"])
        #expect(other.status == 1, "\(other)")
        #expect(other.standardError.contains("another linkmail process is using"), "\(other.standardError)")
        #expect(await service.waitForOutput(containing: "\"fetched\":\(count)"), "\(service.outputSoFar)")
        service.send(SIGTERM)
        let ended = await service.result()
        #expect(ended.status == 0, "\(ended.standardError)")
        let stored = ["new", "cur"].flatMap { sub in
            (try? FileManager.default.contentsOfDirectory(atPath: home + "/Maildir/.ivan@example_test/" + sub)) ?? []
        }
        #expect(stored.count == count + 1, "the confirmation e-mail and each bulk message once")
        let again = try await Self.run(["sync", "--home", home, "--once", "--json"])
        #expect(again.standardOutput.contains("\"fetched\":0"), "\(again)")
    }
}
