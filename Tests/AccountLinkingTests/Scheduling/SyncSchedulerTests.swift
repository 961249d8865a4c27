import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Synchronization
import Testing

/// Collects a linker's sync events so a test can wait for the one it expects (with a generous
/// real-time bound so a broken scheduler fails the test instead of hanging it).
final class EventLog: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[SyncEvent]>([])
    }

    private let storage = Storage()
    private let task: Task<Void, Never>

    init(_ linker: AccountLinker) async {
        let stream = await linker.syncEvents()
        let storage = self.storage
        task = Task { for await event in stream { storage.events.withLock { $0.append(event) } } }
    }

    deinit { task.cancel() }

    var events: [SyncEvent] { storage.events.withLock { $0 } }

    /// Waits for the `count`-th event (counting from the start) matching `match`.
    @discardableResult
    func wait(
        for count: Int = 1, _ what: String = "event", where match: (SyncEvent) -> Bool
    ) async throws -> SyncEvent {
        for _ in 0..<3000 {
            let found = events.filter(match)
            if found.count >= count { return found[count - 1] }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw FixtureError("no \(what) #\(count) in \(events.map(\.description))")
    }

    func count(where match: (SyncEvent) -> Bool) -> Int { events.filter(match).count }
}

extension SyncEvent {
    var isFinished: Bool { if case .finished = kind { true } else { false } }
    var isFailed: Bool { if case .failed = kind { true } else { false } }
    var isStarted: Bool { kind == .started }
    var scheduledAt: (Date, AccountSchedule.Reason)? {
        if case .scheduled(let at, let reason) = kind { (at, reason) } else { nil }
    }
    var isNeedsAttention: Bool { if case .needsAttention = kind { true } else { false } }
    var fetched: Int? { if case .finished(let report) = kind { report.fetched } else { nil } }
}

@Suite("SyncScheduler: automatic sync on a virtual clock")
struct SyncSchedulerTests {
    static let address = try! EmailAddress(LinkerFixture.linked)

    func message(_ number: Int) -> FakePOP3Message {
        FakePOP3Message(uid: "m\(number)", text: "To: linked@example.net\r\nSubject: \(number)\r\n\r\nbody \(number)\r\n")
    }

    /// A confirmed account synced once (before any scheduler), and an event log on its linker.
    func confirmed(_ fixture: LinkerFixture) async throws -> (AccountLinker, LinkedAccount, EventLog) {
        let (linker, account) = try await AccountLinkerLifecycleTests.confirmedLinker(fixture, messages: 1)
        return (linker, account, await EventLog(linker))
    }

    @Test("a running scheduler checks the account after its interval; mail found brings the next check sooner")
    func checksAgain() async throws {
        let fixture = try LinkerFixture()
        let (linker, account, log) = try await confirmed(fixture)
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        let first = try await log.wait(where: { $0.scheduledAt != nil })
        #expect(first.scheduledAt?.1 == .first)
        fixture.server.deliver(message(1), to: LinkerFixture.linked)
        clock.advance(to: try #require(first.scheduledAt?.0))
        let found = try await log.wait(where: \.isFinished)
        #expect(found.fetched == 1)
        let next = try await log.wait(for: 2, where: { $0.scheduledAt != nil })
        #expect(next.scheduledAt?.1 == .regular)
        #expect(try #require(next.scheduledAt?.0).timeIntervalSince(clock.now) == 300, "the follow-up after mail")
        clock.advance(to: try #require(next.scheduledAt?.0))
        let empty = try await log.wait(for: 2, where: \.isFinished)
        #expect(empty.fetched == 0)
        let slower = try await log.wait(for: 3, where: { $0.scheduledAt != nil })
        let regular = try #require(slower.scheduledAt?.0).timeIntervalSince(clock.now)
        #expect(regular > 500 && regular < 600, "about an hour's rate of one message: about the 10-minute interval")
        #expect(try await fixture.stored(in: account.folder).count == 2)
        let history = try await linker.history(of: Self.address)
        #expect(history.map(\.fetched).suffix(2) == [1, 0])
        await scheduler.stop()
        #expect(await linker.scheduler == nil)
    }

    @Test("check now runs at once, also for a paused account; a paused one is otherwise not checked")
    func checkNowAndPause() async throws {
        let fixture = try LinkerFixture()
        let (linker, _, log) = try await confirmed(fixture)
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        try await log.wait(where: { $0.scheduledAt != nil })
        await scheduler.pause(Self.address)
        clock.advance(by: .seconds(7200))
        try await Task.sleep(for: .milliseconds(200))
        #expect(log.count(where: \.isStarted) == 0, "paused: not checked")
        fixture.server.deliver(message(1), to: LinkerFixture.linked)
        await scheduler.checkNow(Self.address)
        #expect(try await log.wait(where: \.isFinished).fetched == 1)
        await scheduler.resume()
        #expect(await scheduler.schedule(of: Self.address)?.isPaused == false)
        await scheduler.stop()
    }

    @Test("an account confirmed while the scheduler runs is synced by it, with nothing else to call")
    func newlyConfirmed() async throws {
        let fixture = try LinkerFixture()
        fixture.server.deliver(message(1), to: LinkerFixture.linked)
        let linker = fixture.makeLinker()
        let log = await EventLog(linker)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock(), jitter: { 0 })
        _ = await fixture.link(linker)
        #expect(await scheduler.schedulesByAccount.isEmpty, "nothing before the owner confirms")
        try await linker.confirm(try fixture.lastConfirmation().link)
        #expect(try await log.wait(where: \.isFinished).fetched == 1)
        await scheduler.stop()
    }

    @Test("no more sessions at once than the policy allows, and every account is checked")
    func concurrencyBound() async throws {
        let users = (0..<6).map { "user\($0)@example.net" }
        var slow = FakePOP3Configuration()
        slow.faults = [.delay(.milliseconds(150), verb: "UIDL")]
        let server = FakePOP3Server(
            configuration: slow,
            accounts: SASLServerAccounts(passwords: Dictionary(uniqueKeysWithValues: users.map { ($0, "pw") })))
        let fixture = try LinkerFixture(connector: server.connector)
        let linker = fixture.makeLinker()
        for user in users {
            server.deliver(FakePOP3Message(uid: "x", text: "Subject: hi\r\n\r\nx\r\n"), to: user)
            _ = await fixture.link(
                linker, address: user, secret: .password("pw"),
                options: .init(incoming: ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: user)))
            try await linker.confirm(try fixture.lastConfirmation().link)
        }
        await linker.waitForPendingSyncs()
        let log = await EventLog(linker)
        let scheduler = try await linker.startScheduler(
            policy: SyncPolicy(maximumConcurrentSessions: 2), clock: VirtualSchedulerClock(), jitter: { 0 })
        await scheduler.checkNow()
        try await log.wait(for: 6, "finished check", where: \.isFinished)
        var open = 0
        var most = 0
        for event in log.events {
            if event.isStarted { open += 1 }
            if event.isFinished || event.isFailed { open -= 1 }
            most = max(most, open)
        }
        #expect(most <= 2 && most >= 1)
        #expect(Set(log.events.filter(\.isFinished).map(\.account)).count == 6)
        await scheduler.stop()
    }

    @Test("a refused password is retried; only repeated refusals over the span mark the account")
    func refusalsNeedTheOwnerOnlyAtLast() async throws {
        let fixture = try LinkerFixture()
        let (linker, _, log) = try await confirmed(fixture)
        try await linker.changeSecret(.password("not-it"), for: Self.address, verifying: false)
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        var refusals = 0
        while log.count(where: \.isNeedsAttention) == 0 {
            let scheduled = try await log.wait(for: refusals + 1, where: { $0.scheduledAt != nil || $0.isNeedsAttention })
            guard let (due, _) = scheduled.scheduledAt else { break }
            if refusals >= 1 {
                #expect(try await linker.account(Self.address)?.attention == nil, "not marked after \(refusals) refusals")
            }
            clock.advance(to: due)
            try await log.wait(for: refusals + 1, where: \.isFailed)
            refusals += 1
            #expect(refusals < 10)
            if refusals >= 10 { break }
        }
        #expect(refusals >= 3)
        #expect(try await linker.account(Self.address)?.attention == .passwordRefused)
        #expect(await scheduler.schedule(of: Self.address) == nil)
        // The owner gives the right password: the mark goes and checks resume.
        try await linker.changeSecret(.password(LinkerFixture.password), for: Self.address)
        #expect(try await linker.account(Self.address)?.attention == nil)
        // The account is checked again (a retry if the check met the verifying session's lock).
        var seen = log.events.count
        while log.count(where: \.isFinished) == 0 {
            let event = try await log.wait(for: seen + 1, where: { _ in true })
            seen += 1
            if let (due, _) = event.scheduledAt { clock.advance(to: due) }
        }
        await scheduler.stop()
    }

    @Test("a server that says the mailbox is in use is retried when it asks, not sooner")
    func throttled() async throws {
        let fixture = try LinkerFixture()
        let (linker, _, log) = try await confirmed(fixture)
        #expect(fixture.server.lock(LinkerFixture.linked))
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        await scheduler.checkNow()
        try await log.wait(where: \.isFailed)
        let retry = try await log.wait(for: 2, where: { $0.scheduledAt != nil })
        #expect(retry.scheduledAt?.1 == .serverAsked)
        #expect(try #require(retry.scheduledAt?.0).timeIntervalSince(clock.now) >= 300)
        #expect(try await linker.account(Self.address)?.attention == nil)
        await scheduler.stop()
    }

    @Test("a session that stalls is ended by the watchdog and retried; stop then ends at once")
    func watchdog() async throws {
        var silent = FakePOP3Configuration()
        silent.faults = [.silent(verb: "UIDL")]
        let server = FakePOP3Server(
            configuration: silent,
            accounts: SASLServerAccounts(passwords: [LinkerFixture.linked: LinkerFixture.password]))
        let fixture = try LinkerFixture(connector: server.connector)
        let linker = fixture.makeLinker()
        let log = await EventLog(linker)
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(
            policy: SyncPolicy(stallLimit: .seconds(60)), clock: clock, jitter: { 0 })
        _ = await fixture.link(linker)
        try await linker.confirm(try fixture.lastConfirmation().link)
        try await log.wait(where: \.isStarted)
        #expect(await linker.isSyncing(Self.address))
        clock.advance(by: .seconds(61))
        let failed = try await log.wait(where: \.isFailed)
        if case .failed(let diagnosis) = failed.kind { #expect(diagnosis.isTransient || diagnosis.stage == .connection) }
        let retry = try await log.wait(where: { $0.scheduledAt?.1 == .retry })
        #expect(retry.account == AccountID(Self.address))
        await scheduler.stop()
        #expect(await !linker.isSyncing(Self.address))
    }

    @Test("another process holding the account's lock makes a pass a no-op; no session is opened")
    func lockHeldElsewhere() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("locks-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fixture = try LinkerFixture()
        var configuration = fixture.configuration
        configuration.locks = try FileAccountLocks(directory: folder)
        let linker = AccountLinker(configuration: configuration)
        _ = await fixture.link(linker)
        try await linker.confirm(try fixture.lastConfirmation().link)
        await linker.waitForPendingSyncs()
        let other = try FileAccountLocks(directory: folder)
        let held = try #require(try await other.tryLock(AccountID(Self.address)))
        #expect(try await other.tryLock(AccountID(Self.address)) == nil, "one holder at a time")
        let sessions = fixture.server.sessionCount
        let log = await EventLog(linker)
        let report = try await linker.sync(Self.address).get()
        #expect(report.heldElsewhere && report.fetched == 0)
        #expect(fixture.server.sessionCount == sessions)
        let skipped = try await log.wait(where: \.isFinished)
        #expect(skipped.description.contains("another process is syncing it"), "a UI hears of the skipped check")
        held.release()
        fixture.server.deliver(message(1), to: LinkerFixture.linked)
        #expect(try await linker.sync(Self.address).get().fetched == 1)
    }

    @Test("accounts needing their owner are not scheduled; a shard takes only its own accounts")
    func skippedAccounts() async throws {
        let fixture = try LinkerFixture()
        let (linker, _, _) = try await confirmed(fixture)
        try await linker.setAttention(.signInAgain, for: Self.address)
        let scheduler = try await linker.startScheduler(clock: VirtualSchedulerClock())
        #expect(await scheduler.schedulesByAccount.isEmpty)
        await scheduler.stop()
        try await linker.setAttention(nil, for: Self.address)
        let id = AccountID(Self.address)
        let mine = try #require((0..<3).compactMap { SyncShard(index: $0, count: 3) }.first { $0.owns(id) })
        let other = try #require(SyncShard(index: (mine.index + 1) % 3, count: 3))
        let elsewhere = try await linker.startScheduler(clock: VirtualSchedulerClock(), shard: other)
        #expect(await elsewhere.schedulesByAccount.isEmpty)
        await elsewhere.stop()
        let here = try await linker.startScheduler(clock: VirtualSchedulerClock(), shard: mine)
        #expect(await here.schedulesByAccount.keys.contains(id))
        await here.stop()
    }
}
