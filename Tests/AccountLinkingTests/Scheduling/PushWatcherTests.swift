import AccountLinking
import FolderRouting
import Foundation
import IMAPProtocol
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Synchronization
import Testing

/// Counts the connections a client side holds open (opened and not yet closed), and the most at
/// once: what a provider that limits simultaneous connections sees.
final class OpenConnectionCounter: MailConnector, Sendable {
    private final class Counted: MailConnection, Sendable {
        let inner: any MailConnection
        let counter: OpenConnectionCounter
        private let closed = Mutex(false)

        init(_ inner: any MailConnection, _ counter: OpenConnectionCounter) {
            self.inner = inner
            self.counter = counter
        }

        func send(_ bytes: [UInt8]) async throws { try await inner.send(bytes) }
        func receive(maximumCount: Int) async throws -> [UInt8]? { try await inner.receive(maximumCount: maximumCount) }
        func startTLS(serverName: String, policy: TLSPolicy) async throws {
            try await inner.startTLS(serverName: serverName, policy: policy)
        }
        var isSecure: Bool { inner.isSecure }
        var peerCertificate: CertificateSummary? { inner.peerCertificate }
        var timeouts: Timeouts { inner.timeouts }
        func close() {
            let first = closed.withLock { wasClosed in
                defer { wasClosed = true }
                return !wasClosed
            }
            if first { counter.count { $0 -= 1 } }
            inner.close()
        }
    }

    let inner: any MailConnector
    private let state = Mutex((open: 0, peak: 0))

    init(_ inner: any MailConnector) { self.inner = inner }

    var open: Int { state.withLock { $0.open } }
    var peak: Int { state.withLock { $0.peak } }

    fileprivate func count(_ change: (inout Int) -> Void) {
        state.withLock { state in
            change(&state.open)
            state.peak = max(state.peak, state.open)
        }
    }

    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let connection = try await inner.connect(to: endpoint, tls: tls, timeouts: timeouts)
        count { $0 += 1 }
        return Counted(connection, self)
    }
}

/// The scheduler's IDLE watchers (push) follow the account's settings and count against the
/// session limit; fake IMAP servers in memory, a virtual clock that is never advanced (so every
/// check seen is the first one, a pushed one, or one a change asked for).
@Suite("SyncScheduler push: watchers follow settings and share the session limit")
struct PushWatcherTests {
    static let address = try! EmailAddress(LinkerFixture.linked)
    static let other = "other@example.net"
    static let first = ServerSettings(host: "imap.example.net", port: 993, security: .tls, user: LinkerFixture.linked)
    static let second = ServerSettings(host: "imap2.example.net", port: 993, security: .tls, user: LinkerFixture.linked)

    static func server() -> FakeIMAPServer {
        FakeIMAPServer(
            accounts: SASLServerAccounts(passwords: [
                LinkerFixture.linked: LinkerFixture.password, other: LinkerFixture.password,
            ]))
    }

    static func message(_ subject: String) -> FakeIMAPMessage {
        FakeIMAPMessage(text: "To: linked@example.net\r\nSubject: \(subject)\r\n\r\nbody\r\n")
    }

    static func options(_ incoming: ServerSettings) -> AccountLinker.LinkOptions {
        var options = AccountLinker.LinkOptions(incoming: incoming)
        options.incomingProtocol = .imap
        return options
    }

    /// Waits (with a generous real-time bound, so a broken scheduler fails instead of hanging)
    /// until `condition` holds.
    static func eventually(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<3000 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FixtureError("never happened: \(what)")
    }

    static func idles(_ server: FakeIMAPServer) -> Int {
        server.receivedCommands.filter { $0.uppercased().hasSuffix(" IDLE") }.count
    }

    /// Links and confirms `address` over IMAP at `incoming`; the first sync has run.
    static func confirm(
        _ fixture: LinkerFixture, _ linker: AccountLinker, address: String = LinkerFixture.linked,
        at incoming: ServerSettings = first
    ) async throws {
        _ = await fixture.link(linker, address: address, options: options(incoming))
        _ = try await linker.confirm(try fixture.lastConfirmation().link)
        await linker.waitForPendingSyncs()
    }

    @Test(
        "a new incoming server restarts the watcher there: the old session closes, mail pushed by the new server syncs")
    func serverChange() async throws {
        let (old, new) = (Self.server(), Self.server())
        let fixture = try LinkerFixture(
            connector: FakeNetwork(["imap.example.net": old.connector, "imap2.example.net": new.connector]))
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        let log = await EventLog(linker)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock(), jitter: { 0 })
        try await Self.eventually("IDLE on the first server") { Self.idles(old) == 1 }

        let account = try await linker.update(Self.address, .init(incoming: Self.second))
        try await Self.eventually("IDLE on the new server") { Self.idles(new) == 1 }
        try await Self.eventually("the old server's sessions all closed") { old.openSessionCount == 0 }
        #expect(Self.idles(old) == 1)
        new.deliver(Self.message("pushed"), to: LinkerFixture.linked)
        let pushed = try await log.wait(where: { $0.fetched == 1 })
        #expect(pushed.account == account.id)
        #expect(try await fixture.stored(in: account.folder).count == 1)
        await scheduler.stop()
    }

    @Test("a new secret restarts the watcher, which signs in again; a changed mailbox is watched instead of INBOX")
    func secretAndMailboxChange() async throws {
        let server = Self.server()
        let fixture = try LinkerFixture(connector: server.connector)
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock(), jitter: { 0 })
        try await Self.eventually("the first IDLE") { Self.idles(server) == 1 }

        try await linker.changeSecret(.password(LinkerFixture.password), for: Self.address, verifying: false)
        try await Self.eventually("IDLE again after the new secret") { Self.idles(server) == 2 }

        server.createMailbox("Archive", for: LinkerFixture.linked)
        let before = server.receivedCommands.count
        try await linker.update(
            Self.address, .init(imap: IMAPSourceOptions(mailboxes: .named(["Archive"]))))
        try await Self.eventually("IDLE on Archive") { Self.idles(server) >= 3 }
        let since = server.receivedCommands.dropFirst(before).map { $0.uppercased() }
        #expect(since.contains { $0.contains("EXAMINE") && $0.contains("ARCHIVE") }, "\(since)")
        try await Self.eventually("one watcher session left") { server.openSessionCount == 1 }
        await scheduler.stop()
    }

    @Test("an account moved to POP3 loses its watcher and its IDLE session is closed")
    func protocolChange() async throws {
        let imap = Self.server()
        let pop3 = FakePOP3Server(
            accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]))
        let fixture = try LinkerFixture(
            connector: FakeNetwork(["imap.example.net": imap.connector, "pop.example.net": pop3.connector]))
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock(), jitter: { 0 })
        try await Self.eventually("IDLE") { Self.idles(imap) == 1 }
        #expect(await scheduler.pushAccounts == [AccountID(Self.address)])
        try await linker.update(Self.address, .init(incoming: fixture.incoming, incomingProtocol: .pop3))
        #expect(await scheduler.pushAccounts.isEmpty)
        try await Self.eventually("the IDLE session closed") { imap.openSessionCount == 0 }
        await scheduler.stop()
    }

    @Test(
        "a watcher holds one of the policy's sessions: with 2, one IMAP account gets push, and the other once it ends")
    func watchersCountAgainstTheLimit() async throws {
        let server = Self.server()
        let counter = OpenConnectionCounter(server.connector)
        let fixture = try LinkerFixture(connector: counter)
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        try await Self.confirm(
            fixture, linker, address: Self.other,
            at: ServerSettings(
                host: "imap.example.net", port: 993, security: .tls, user: Self.other))
        let log = await EventLog(linker)
        let policy = SyncPolicy(maximumConcurrentSessions: 2)
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(policy: policy, clock: clock, jitter: { 0 })
        #expect(await scheduler.pushAccounts.count == 1)
        // Both accounts' first checks still run, one at a time beside the watcher.
        let due = try await log.wait(for: 2, "the first schedules", where: { $0.scheduledAt != nil })
        clock.advance(to: try #require(due.scheduledAt?.0))
        try await log.wait(for: 2, "the first checks", where: \.isFinished)
        try await Self.eventually("the watcher idling") { Self.idles(server) == 1 }
        #expect(counter.peak <= 2, "\(counter.peak) sessions at once")

        let watched = try #require(await scheduler.pushAccounts.first)
        let waiting = watched == AccountID(Self.address) ? try EmailAddress(Self.other) : Self.address
        try await linker.unlink(try #require(try await linker.accounts().first { $0.id == watched }).address)
        #expect(await scheduler.pushAccounts == [AccountID(waiting)])
        try await Self.eventually("the other account's watcher idling") { Self.idles(server) == 2 }
        #expect(counter.peak <= 2, "\(counter.peak) sessions at once")
        await scheduler.stop()
    }

    @Test("a watcher whose account cannot sign in (no secret stored) gives its session slot to a waiting account")
    func deadWatcherFreesItsSlot() async throws {
        let server = Self.server()
        let fixture = try LinkerFixture(connector: server.connector)
        let linker = fixture.makeLinker()
        try await Self.confirm(fixture, linker)
        try await Self.confirm(
            fixture, linker, address: Self.other,
            at: ServerSettings(
                host: "imap.example.net", port: 993, security: .tls, user: Self.other))
        try await fixture.configuration.credentials.setSecret(nil, for: AccountID(Self.address))
        let scheduler = try await linker.startScheduler(
            policy: SyncPolicy(maximumConcurrentSessions: 2), clock: VirtualSchedulerClock(), jitter: { 0 })
        let other = AccountID(try EmailAddress(Self.other))
        try await Self.eventually("the other account's watcher") { await scheduler.pushAccounts == [other] }
        try await Self.eventually("its IDLE") { Self.idles(server) == 1 }
        await scheduler.stop()
    }
}
