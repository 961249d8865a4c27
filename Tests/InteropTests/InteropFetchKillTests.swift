import Foundation
import MailTesting
import TestbedSupport
import Testing

/// The kill test (issue 4): `linkmail fetch` SIGKILLed at random moments, then run normally,
/// loses nothing and duplicates nothing — with `--delete` (the hardest case: a message may be
/// removed from the server only once it is durably stored) and with copies kept.
///
/// The same over IMAP (`--protocol imap`, deletion by `UID EXPUNGE`) with the bench user `kate`.
///
/// Uses the bench users `grace` (POP3) and `kate` (IMAP) only; serialized because the tests empty their mailboxes.
@Suite(
    "Interop: linkmail fetch killed with SIGKILL", .serialized, .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropFetchKillTests {
    private typealias Fixtures = InteropPOP3Fixtures
    private typealias Runner = InteropFetchRunner

    /// What one killed round did, for the failure messages.
    private struct Round: CustomStringConvertible {
        /// When the kill was sent: after a delay, or once this many new messages were stored.
        var trigger: Trigger
        var killed: Bool
        var storedBefore: Int
        var storedAfter: Int
        var onServerAfter: Int
        /// Whether the run was killed after storing something: in the middle of its work.
        var killedMidway: Bool { killed && storedAfter > storedBefore }
        var description: String {
            "\(trigger): \(killed ? "killed" : "finished first"), stored \(storedBefore)→\(storedAfter), \(onServerAfter) on the server"
        }
    }

    private enum Trigger: CustomStringConvertible {
        case delay(milliseconds: Int)
        case stored(count: Int)
        var description: String {
            switch self {
            case .delay(let milliseconds): "after \(milliseconds) ms"
            case .stored(let count): "after \(count) new stored"
            }
        }
    }

    /// Drops `count` messages with unique Message-IDs into `user`'s mailbox; records them in `dropped`.
    private func drop(
        _ count: Int, _ bench: TestbedEnvironment, user: String = "grace", into dropped: inout [String: [UInt8]]
    ) throws {
        let grace = try bench.claimUser(user)
        let start = dropped.count
        for index in start..<(start + count) {
            let id = Fixtures.messageID("kill-\(index)")
            // About 2 KB each, so a pass has real work in every step.
            let lines = (0..<24).map { "message \(index) line \($0): " + String(repeating: "x", count: 60) }
            let message = Fixtures.text(id: id, subject: "kill \(index)", lines: lines)
            try bench.deliver(Data(message), to: grace)
            dropped[id] = message
        }
    }

    /// Kill moments: delays spread from 10 ms (before the connection) to 1.2 s (a pass of 300
    /// messages takes about 1.3 s here), randomised within bands so that repeated runs hit
    /// different moments (connect, login, listing, retrieval, delivery, UIDL record, DELE,
    /// QUIT); then kills right after a random number of new messages reached the Maildir, which
    /// lands between delivery and the UIDL record or the DELE, the windows that matter.
    private static func triggers(storedAtMost: Int) -> [Trigger] {
        let bands = [
            (10, 40), (40, 100), (100, 200), (200, 300), (300, 400), (400, 550), (550, 700), (700, 900), (900, 1200),
        ]
        return bands.map { .delay(milliseconds: Int.random(in: $0.0...$0.1)) }
            + (0..<4).map { _ in .stored(count: Int.random(in: 1...storedAtMost)) }
    }

    /// Runs the killed rounds, refilling the mailbox when it runs low, then a normal run to the
    /// end; returns the rounds and the normal run's result.
    private func killRounds(
        _ bench: TestbedEnvironment, user: String = "grace", imap: Bool = false, maildir: InteropFetchMaildir,
        extra: [String], refillBelow: Int, addEachRound: Int, dropped: inout [String: [UInt8]]
    ) async throws -> (rounds: [Round], final: ExecutableRunner.Result) {
        let grace = try bench.claimUser(user)
        let arguments = maildir.fetchArguments(bench, grace, extra, imap: imap)
        let environment = InteropFetchMaildir.environment(grace)
        var rounds: [Round] = []
        // A count-triggered kill must come before the pass runs out of new messages.
        for trigger in Self.triggers(storedAtMost: addEachRound > 10 ? min(120, addEachRound - 10) : 120) {
            if try bench.messageCount(of: grace) < refillBelow { try drop(150, bench, user: user, into: &dropped) }
            if addEachRound > 0 { try drop(addEachRound, bench, user: user, into: &dropped) }
            let storedBefore = try maildir.inboxMessages().count
            let running = try Runner.start(arguments, environment: environment)
            switch trigger {
            case .delay(let milliseconds):
                try await Task.sleep(for: .milliseconds(milliseconds))
            case .stored(let count):
                let deadline = ContinuousClock.now + .seconds(20)
                while running.process.isRunning, ContinuousClock.now < deadline,
                    maildir.fileCount() < storedBefore + count
                {
                    try await Task.sleep(for: .milliseconds(1))
                }
            }
            running.kill()
            let result = await running.result()
            rounds.append(
                Round(
                    trigger: trigger, killed: result.endedBySignal, storedBefore: storedBefore,
                    storedAfter: try maildir.inboxMessages().count, onServerAfter: try bench.messageCount(of: grace)))
        }
        let final = try await Runner.run(arguments, environment: environment)
        return (rounds, final)
    }

    @Test(
        "with --delete: killed at random moments, then run normally, every message is stored exactly once and the server is empty"
    )
    func killedWithDelete() async throws {
        try await killedWithDelete(user: "grace", imap: false)
    }

    @Test(
        "copies kept: killed at random moments, then run normally, no duplicates and nothing lost; the server keeps all"
    )
    func killedKeepingCopies() async throws {
        try await killedKeepingCopies(user: "grace", imap: false)
    }

    @Test(
        "IMAP with --delete: killed at random moments, then run normally, every message is stored exactly once and the server is empty"
    )
    func imapKilledWithDelete() async throws {
        try await killedWithDelete(user: "kate", imap: true)
    }

    @Test("IMAP, copies kept: killed at random moments, then run normally, no duplicates and nothing lost; the server keeps all")
    func imapKilledKeepingCopies() async throws {
        try await killedKeepingCopies(user: "kate", imap: true)
    }

    /// Killed rounds with `--delete`, then a normal run: every message once, byte for byte, and the server empty.
    private func killedWithDelete(user name: String, imap: Bool) async throws {
        let bench = try TestbedEnvironment.required()
        let user = try bench.claimUser(name)
        try bench.removeAllMessages(of: user)
        defer { if imap { try? bench.removeAllMessages(of: user) } }
        let maildir = InteropFetchMaildir(label: imap ? "imap-kill-delete" : "kill-delete")
        defer { maildir.remove() }
        var dropped: [String: [UInt8]] = [:]
        try drop(300, bench, user: name, into: &dropped)

        let (rounds, final) = try await killRounds(
            bench, user: name, imap: imap, maildir: maildir, extra: ["--delete"], refillBelow: 100, addEachRound: 0,
            dropped: &dropped)
        #expect(final.status == 0, "\(final)")
        let counts = try expectEachOnce(maildir, dropped: dropped, rounds: rounds)
        #expect(
            Set(counts.keys).isSubset(of: dropped.keys),
            "messages that were never dropped: \(Set(counts.keys).subtracting(dropped.keys))")
        for message in try maildir.inboxMessages() {
            let id = Fixtures.messageID(in: message) ?? "?"
            #expect(dropped[id] == message, "\(id) stored with different bytes")
        }
        #expect(try bench.messageCount(of: user) == 0, "the server is empty after the normal run; rounds: \(rounds)")
        // The test proves something only if some kill landed in the middle of a pass.
        #expect(rounds.contains { $0.killedMidway }, "no kill landed after a delivery: \(rounds)")
        #expect(rounds.contains { $0.killed }, "every run finished before its kill: \(rounds)")
    }

    /// Killed rounds with copies kept (new mail added between rounds), then a normal run and one more.
    private func killedKeepingCopies(user name: String, imap: Bool) async throws {
        let bench = try TestbedEnvironment.required()
        let user = try bench.claimUser(name)
        try bench.removeAllMessages(of: user)
        defer { if imap { try? bench.removeAllMessages(of: user) } }
        let maildir = InteropFetchMaildir(label: imap ? "imap-kill-keep" : "kill-keep")
        defer { maildir.remove() }
        var dropped: [String: [UInt8]] = [:]
        try drop(300, bench, user: name, into: &dropped)

        // Copies stay on the server, so refill (add new mail) between some rounds instead.
        let (rounds, final) = try await killRounds(
            bench, user: name, imap: imap, maildir: maildir, extra: [], refillBelow: 0, addEachRound: 70,
            dropped: &dropped)
        #expect(final.status == 0, "\(final)")
        let counts = try expectEachOnce(maildir, dropped: dropped, rounds: rounds)
        #expect(
            Set(counts.keys).isSubset(of: dropped.keys),
            "messages that were never dropped: \(Set(counts.keys).subtracting(dropped.keys))")
        #expect(try bench.messageCount(of: user) == dropped.count, "copies kept on the server")
        #expect(rounds.contains { $0.killedMidway }, "no kill landed after a delivery: \(rounds)")

        let again = try await Runner.run(
            maildir.fetchArguments(bench, user, imap: imap), environment: InteropFetchMaildir.environment(user))
        #expect(again.lastLine == "fetched 0 new messages (0 bytes)", "\(again)")
    }

    /// Expects every dropped message in the Maildir exactly once; returns the Message-ID counts.
    private func expectEachOnce(
        _ maildir: InteropFetchMaildir, dropped: [String: [UInt8]], rounds: [Round]
    ) throws -> [String: Int] {
        let counts = try maildir.messageIDCounts()
        #expect(
            counts.filter { $0.value != 1 }.isEmpty, "duplicates: \(counts.filter { $0.value != 1 }); rounds: \(rounds)")
        let lost = Set(dropped.keys).subtracting(counts.keys)
        #expect(lost.isEmpty, "\(lost.count) of \(dropped.count) messages lost; rounds: \(rounds)")
        return counts
    }
}
