import Foundation
import MailTesting
import MailTransport
import POP3Protocol
import TestbedSupport
import Testing

/// POP3Client's maildrop commands against the bench's real Dovecot: UIDLs that survive
/// sessions, DELE that takes effect only at QUIT (RFC 1939 §6), RSET, and pipelined RETR.
///
/// Uses the bench user `erin` only; serialized because every test empties erin's mailbox.
@Suite("Interop: POP3 maildrop against Dovecot", .serialized, .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropPOP3MaildropTests {
    private typealias Fixtures = InteropPOP3Fixtures
    private typealias Session = InteropPOP3Session

    /// Empties erin's mailbox and drops `count` small messages; returns them in drop order.
    private func fill(_ bench: TestbedEnvironment, count: Int, label: String) throws -> [[UInt8]] {
        let erin = try bench.claimUser("erin")
        try bench.removeAllMessages(of: erin)
        var messages: [[UInt8]] = []
        for index in 1...count {
            let message = Fixtures.text(
                id: Fixtures.messageID("\(label)-\(index)"), subject: "\(label) \(index)",
                lines: ["message \(index) of \(count)", ".a dot line", "end"])
            try bench.deliver(Data(message), to: erin)
            messages.append(message)
        }
        return messages
    }

    /// Every message on the server now, keyed by UIDL, in a fresh session.
    private func contentsByUIDL(_ bench: TestbedEnvironment) async throws -> [String: [UInt8]] {
        let client = try await Session.login(bench, as: try bench.claimUser("erin"))
        var result: [String: [UInt8]] = [:]
        for entry in try await client.uidlAll() { result[entry.uid] = try await client.retrieve(entry.number) }
        #expect(try await client.quit())
        return result
    }

    @Test("UIDLs are the same in every session, and survive another message's deletion")
    func stableUIDLs() async throws {
        let bench = try TestbedEnvironment.required()
        let messages = try fill(bench, count: 5, label: "uidl")
        let first = try await contentsByUIDL(bench)
        #expect(first.count == 5)
        #expect(Set(first.values) == Set(messages))
        let second = try await contentsByUIDL(bench)
        #expect(second == first, "same UIDL for the same message in a new session")

        let client = try await Session.login(bench, as: try bench.claimUser("erin"))
        let listing = try await client.uidlAll()
        #expect(listing.count == 5)
        #expect(Set(listing.map(\.uid)).count == 5, "UIDLs are unique")
        try await client.delete(1)
        #expect(try await client.quit())
        var expected = first
        expected[listing[0].uid] = nil
        #expect(try await contentsByUIDL(bench) == expected, "the others keep their UIDL and content")
    }

    @Test("DELE then QUIT removes the marked messages; the others stay")
    func deleteThenQuit() async throws {
        let bench = try TestbedEnvironment.required()
        let erin = try bench.claimUser("erin")
        _ = try fill(bench, count: 4, label: "dele")
        let client = try await Session.login(bench, as: erin)
        let listing = try await client.uidlAll()
        try await client.delete(2)
        try await client.delete([3, 4])
        #expect(try await client.stat().messageCount == 1, "STAT no longer counts marked messages")
        let error = await #expect(throws: POP3Error.self) { _ = try await client.retrieve(2) }
        #expect(error?.code == .commandFailed)
        #expect(try await client.quit(), "Dovecot confirms the UPDATE state")
        #expect(try bench.messageCount(of: erin) == 1, "the files are gone from the Maildir")
        #expect(Array(try await contentsByUIDL(bench).keys) == [listing[0].uid])
    }

    @Test("DELE then RSET keeps every message, and so does a session closed without QUIT")
    func deleteThenReset() async throws {
        let bench = try TestbedEnvironment.required()
        let erin = try bench.claimUser("erin")
        _ = try fill(bench, count: 3, label: "rset")
        let before = try await contentsByUIDL(bench)

        let client = try await Session.login(bench, as: erin)
        try await client.delete([1, 2, 3])
        #expect(try await client.stat().messageCount == 0)
        try await client.reset()
        #expect(try await client.stat().messageCount == 3)
        #expect(try await client.quit())
        #expect(try await contentsByUIDL(bench) == before)

        let dropped = try await Session.login(bench, as: erin)
        try await dropped.delete([1, 2, 3])
        await dropped.close()
        #expect(try await contentsByUIDL(bench) == before, "no QUIT, no UPDATE state")
        #expect(try bench.messageCount(of: erin) == 3)
    }

    @Test("retrieveMany of 200 messages is pipelined: all byte-identical, in far fewer writes than commands")
    func pipelinedRetrieval() async throws {
        let bench = try TestbedEnvironment.required()
        let erin = try bench.claimUser("erin")
        let messages = try fill(bench, count: 200, label: "pipe")
        let connector = InteropPOP3CountingConnector()
        let client = try await Session.login(bench, as: erin, connector: connector)
        #expect(await client.capabilities.pipelining, "Dovecot advertises PIPELINING")
        let listing = try await client.listAll()
        #expect(listing.count == 200)
        let before = connector.writes
        let received = Received()
        try await client.retrieveMany(listing.map(\.number)) { number, bytes in received.add(number, bytes) }
        let writes = connector.writes - before
        let got = received.all
        #expect(got.map(\.number) == Array(1...200), "handed over in order")
        #expect(Set(got.map(\.bytes)) == Set(messages))
        #expect(zip(got, listing).allSatisfy { $0.bytes.count == $1.size })
        // One command per write would be 200 writes; a window of 32 refilled at half is about 13.
        #expect(writes <= 200 / 8, "200 RETRs took \(writes) writes")
        #expect(try await client.quit())

        // The counter is real: with a window of one, every RETR is its own write.
        let serialConnector = InteropPOP3CountingConnector()
        let serial = try await Session.login(
            bench, as: erin, connector: serialConnector, configuration: POP3Client.Configuration(pipelineWindow: 1))
        let serialBefore = serialConnector.writes
        let serialReceived = Received()
        try await serial.retrieveMany(listing.map(\.number)) { number, bytes in serialReceived.add(number, bytes) }
        #expect(serialConnector.writes - serialBefore == 200)
        #expect(serialReceived.all.map(\.bytes) == got.map(\.bytes))
        #expect(try await serial.quit())
    }

    @Test("retrieveMany with deleteAfterHandling empties the mailbox at QUIT")
    func pipelinedDelete() async throws {
        let bench = try TestbedEnvironment.required()
        let erin = try bench.claimUser("erin")
        let messages = try fill(bench, count: 50, label: "pipedele")
        let client = try await Session.login(bench, as: erin)
        let received = Received()
        try await client.retrieveMany(Array(1...50), deleteAfterHandling: true) { number, bytes in
            received.add(number, bytes)
        }
        #expect(Set(received.all.map(\.bytes)) == Set(messages))
        #expect(try await client.stat().messageCount == 0)
        #expect(try await client.quit())
        #expect(try bench.messageCount(of: erin) == 0)
    }
}

/// Messages handed to a `@Sendable` handler, in order.
private final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(number: Int, bytes: [UInt8])] = []
    func add(_ number: Int, _ bytes: [UInt8]) { lock.withLock { items.append((number, bytes)) } }
    var all: [(number: Int, bytes: [UInt8])] { lock.withLock { items } }
}
