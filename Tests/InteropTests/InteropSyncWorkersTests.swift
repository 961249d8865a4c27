import AccountLinking
import Foundation
import MailTesting
import TestbedSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Several `linkmail sync` workers on one home, delivering into Dovecot over LMTP instead of the
/// home's Maildir: the account locks keep them from syncing one account at once, shards split the
/// accounts, and every message arrives exactly once (judy's POP3 Inbox is synced into judy's own
/// folders; ivan is the second account).
@Suite(
    "Interop: linkmail sync workers delivering over LMTP", .serialized,
    .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropSyncWorkersTests {
    static func run(_ arguments: [String]) async throws -> ExecutableRunner.Result {
        try await ExecutableRunner.run("linkmail", arguments, unset: ["LINKMAIL_PASSWORD"])
    }

    /// A home whose primary is alice, with `linked` linked over POP3S and confirmed (the first
    /// pass, run by `confirm`, brings the confirmation e-mail into the home's Maildir).
    struct Home {
        let bench: TestbedEnvironment
        let work: String
        var path: String { work + "/home" }

        init(bench: TestbedEnvironment, linking linked: [TestbedUser]) async throws {
            self.bench = bench
            work = NSTemporaryDirectory() + "linkmail-workers-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let primary = try bench.claimUser("alice")
            try Data((primary.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/primary"))
            let initialized = try await InteropSyncWorkersTests.run([
                "init", "--home", path, "--primary", primary.address, "--server",
                "\(bench.host):\(bench.submissionPort)",
                "--security", "starttls", "--ca", bench.caFile, "--password-file", work + "/primary",
                "--verify-base-url", "https://mail.example.test/confirm",
            ])
            #expect(initialized.status == 0, "\(initialized)")
            for user in linked {
                try bench.removeAllMessages(of: user)
                try Data((user.password + "\n").utf8).write(to: URL(fileURLWithPath: work + "/\(user.key)"))
                let added = try await InteropSyncWorkersTests.run([
                    "add", user.address, "--home", path, "--server", "\(bench.host):\(bench.pop3sPort)", "--security",
                    "tls",
                    "--ca", bench.caFile, "--password-file", work + "/\(user.key)",
                ])
                #expect(added.status == 0, "\(added)")
                let confirmation = try await InteropLinkmailAccountTests.waitForMessage(
                    in: user, containing: "https://mail.example.test/confirm?token=")
                let code = try #require(
                    confirmation.split(whereSeparator: \.isNewline).map(String.init).first {
                        $0.hasPrefix("    ") && $0.count == 13
                    })
                let confirmed = try await InteropSyncWorkersTests.run([
                    "confirm", code.trimmingCharacters(in: .whitespaces), "--home", path,
                ])
                #expect(confirmed.status == 0, "\(confirmed)")
            }
        }

        /// `sync` flags that deliver into judy's folders over LMTP.
        var delivery: [String] {
            ["--deliver", "lmtp://\(bench.host):\(bench.lmtpPort ?? 0)", "--recipient", "judy+{folder}@example.test"]
        }

        func remove() { try? FileManager.default.removeItem(atPath: work) }
    }

    /// The accounts a `--json` run reported as synced (`"event":"finished"`).
    static func finishedAccounts(_ output: String) -> Set<String> {
        var accounts: Set<String> = []
        for line in output.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["event"] as? String == "finished", let account = object["account"] as? String
            else { continue }
            accounts.insert(account)
        }
        return accounts
    }

    @Test(
        "two processes on one home at once: one syncs, the other skips the locked account, every message arrives once")
    func twoProcessesOneHome() async throws {
        let bench = try TestbedEnvironment.required()
        #expect(bench.lmtpPort != nil, "the bench has no LMTP listener; run scripts/testbed restart")
        let judy = try bench.claimUser("judy")
        let lock = try await bench.exclusiveUse(of: [judy])
        defer { lock.release() }
        try bench.removeFolder("judy@example_test", of: judy)
        let home = try await Home(bench: bench, linking: [judy])
        defer { home.remove() }

        // Enough mail that the first process's pass takes a while: 1,200 messages of 20 KB.
        let count = 1200
        let filler = String(
            repeating: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\r\n", count: 320)
        for number in 1...count {
            try bench.deliver(Data("From: x@example.org\r\nSubject: worker \(number)\r\n\r\n\(filler)".utf8), to: judy)
        }
        let service = try ExecutableRunner.start(
            "linkmail",
            ["sync", "--home", home.path, "--json", "--interval", "600", "--concurrency", "1"] + home.delivery,
            unset: ["LINKMAIL_PASSWORD"])
        #expect(await service.waitForOutput(containing: "\"new\":\(count)"), "\(service.outputSoFar)")
        // The same home, at the same time: the Maildir is not opened, so this process runs, and
        // the account's lock makes it skip judy while the service syncs her.
        let other = try await Self.run(["sync", "--home", home.path, "--once", "--json"] + home.delivery)
        #expect(other.status == 0, "\(other)")
        #expect(other.standardOutput.contains("\"event\":\"skipped\""), "\(other.standardOutput)")
        #expect(
            await service.waitForOutput(containing: "\"fetched\":\(count)", limit: .seconds(300)),
            "\(service.outputSoFar)")
        service.send(SIGTERM)
        let ended = await service.result()
        #expect(ended.status == 0, "\(ended.standardError)")
        #expect(
            bench.messageFiles(of: judy, folder: "judy@example_test").count == count, "each message once in Dovecot")

        let again = try await Self.run(["sync", "--home", home.path, "--once", "--json"] + home.delivery)
        #expect(again.status == 0 && again.standardOutput.contains("\"fetched\":0"), "\(again)")
        #expect(bench.messageFiles(of: judy, folder: "judy@example_test").count == count)
    }

    @Test("two workers, --shard 0/2 and 1/2, over one home: each account is synced by exactly one of them")
    func shards() async throws {
        let bench = try TestbedEnvironment.required()
        let judy = try bench.claimUser("judy")
        let ivan = try bench.claimUser("ivan")
        // ivan is also the linked mailbox of InteropSyncProcessesTests: one suite at a time.
        let lock = try await bench.exclusiveUse(of: [judy, ivan])
        defer { lock.release() }
        for user in [judy, ivan] { try bench.removeFolder("\(user.key)@example_test", of: judy) }
        let home = try await Home(bench: bench, linking: [judy, ivan])
        defer { home.remove() }
        for user in [judy, ivan] {
            for number in 1...5 {
                try bench.deliver(
                    Data("From: x@example.org\r\nSubject: shard \(number)\r\n\r\nbody\r\n".utf8), to: user)
            }
        }
        let workers = try (0..<2).map { index in
            try ExecutableRunner.start(
                "linkmail", ["sync", "--home", home.path, "--once", "--json", "--shard", "\(index)/2"] + home.delivery,
                unset: ["LINKMAIL_PASSWORD"])
        }
        var synced: [Set<String>] = []
        for worker in workers {
            let result = await worker.result()
            #expect(result.status == 0, "\(result)")
            #expect(!result.standardOutput.contains("\"event\":\"skipped\""), "no two workers meet on one account")
            synced.append(Self.finishedAccounts(result.standardOutput))
        }
        for index in 0..<2 {
            let shard = try #require(SyncShard(index: index, count: 2))
            let owned = Set([judy, ivan].map(\.address).filter { (try? shard.owns(AccountID(parsing: $0))) == true })
            #expect(synced[index] == owned, "worker \(index) synced exactly its shard's accounts")
        }
        #expect(synced[0].isDisjoint(with: synced[1]) && synced[0].union(synced[1]).count == 2)
        for user in [judy, ivan] {
            #expect(
                bench.messageFiles(of: judy, folder: "\(user.key)@example_test").count == 5, "\(user.key)'s mail once")
        }
    }
}
