import Foundation
import MailTesting
import TestbedSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `linkmail sync` as a service, offline on the fakes of ``AccountCommandsTests``.
@Suite("linkmail sync: the scheduler as a service, with signals and JSON events")
struct SyncCommandTests {
    typealias Fixture = AccountCommandsTests.Fixture

    /// A home with the linked account confirmed (its 3 waiting messages synced by `confirm`).
    func confirmedHome() async throws -> Fixture {
        let fixture = try Fixture()
        #expect(try await fixture.initialize().status == 0)
        #expect(try await fixture.add().status == 0)
        let confirmed = try await fixture.run(["confirm", try fixture.confirmation().link, "--home", fixture.home])
        #expect(confirmed.status == 0, "\(confirmed.standardError)")
        return fixture
    }

    @Test("runs until SIGTERM (exit 0); SIGUSR1 checks now; --json prints one event object per line")
    func service() async throws {
        let fixture = try await confirmedHome()
        defer { fixture.close() }
        let running = try ExecutableRunner.start(
            "linkmail", ["sync", "--home", fixture.home, "--json", "--interval", "600"], unset: ["LINKMAIL_PASSWORD"])
        #expect(await running.waitForOutput(containing: "\"reason\":\"first\""), "\(running.outputSoFar)")
        fixture.pop3.deliver(
            FakePOP3Message(uid: "late", text: "From: a@b.test\r\nSubject: late\r\n\r\nlate\r\n"), to: Fixture.linked)
        running.send(SIGUSR1)
        #expect(await running.waitForOutput(containing: "\"fetched\":1"), "\(running.outputSoFar)")
        running.send(SIGTERM)
        let result = await running.result()
        #expect(result.status == 0 && !result.endedBySignal, "\(result)")
        let objects = try result.standardOutput.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let kinds = objects.compactMap { $0["event"] as? String }
        for kind in ["scheduled", "started", "listed", "finished", "note"] { #expect(kinds.contains(kind), "\(kinds)") }
        #expect(objects.last?["text"] as? String == "stopped")
        #expect(fixture.files(in: ".you@linked_test").count == 4, "3 from confirm, 1 after SIGUSR1")
    }

    @Test("--once --json prints a finished object per account; a bad --shard is bad usage")
    func onceAndUsage() async throws {
        let fixture = try await confirmedHome()
        defer { fixture.close() }
        let once = try await fixture.run(["sync", "--home", fixture.home, "--once", "--json", "--concurrency", "2"])
        #expect(once.status == 0, "\(once)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(once.lastLine.utf8)) as? [String: Any])
        #expect(object["event"] as? String == "finished" && object["fetched"] as? Int == 0)
        let other = try await fixture.run(["sync", "--home", fixture.home, "--once", "--shard", "1/2"])
        let mine = try await fixture.run(["sync", "--home", fixture.home, "--once", "--shard", "0/2"])
        #expect(
            [other.standardOutput, mine.standardOutput].filter { $0.contains("no confirmed accounts") }.count == 1,
            "exactly one of two shards owns the account")
        for bad in ["2/2", "x", "1/0"] {
            #expect(try await fixture.run(["sync", "--home", fixture.home, "--shard", bad]).status == 2)
        }
    }
}
