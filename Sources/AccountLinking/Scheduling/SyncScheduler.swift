import IMAPProtocol
import MailMessage
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Keeps every confirmed account synced, by itself, for as long as it runs: the "syncing starts
/// by itself and keeps going" of linking an account.
///
/// Start it from the linker (``AccountLinker/startScheduler(policy:clock:shard:jitter:)``); the linker
/// and the scheduler keep each other alive until ``stop(within:)``. It schedules
/// every confirmed account without an ``LinkedAccount/attention`` (of its ``SyncShard``, when
/// given), and each account confirmed later. Each check is one ``AccountLinker/sync(_:)`` pass,
/// so a sync already running is joined and two sessions never share one mailbox; at most
/// ``SyncPolicy/maximumConcurrentSessions`` run at once. When each check runs follows the
/// ``SyncPolicy`` (adaptive, jittered, never below the account's minimum, backing off after
/// failures and waiting as servers ask); every decision is ``AccountSchedule/record(_:at:policy:jitter:)``.
///
/// What it does shows in the linker's ``AccountLinker/syncEvents()``: `scheduled` (the next check
/// and why), `started`, `listed`, `progress`, `finished` or `failed`, and `needsAttention` when an
/// account stops being checked until its owner acts.
///
/// ```swift
/// let scheduler = try await linker.startScheduler()
/// await scheduler.checkNow()                       // every account, now
/// await scheduler.stop(within: .seconds(10))       // at a batch boundary, then cancelled
/// ```
public actor SyncScheduler {
    /// The rules it follows.
    public nonisolated let policy: SyncPolicy
    /// The accounts it owns when several workers share one account store.
    public nonisolated let shard: SyncShard?
    let linker: AccountLinker
    let clock: any SchedulerClock
    private let jitter: @Sendable () -> Double
    private(set) var schedules: [AccountID: AccountSchedule] = [:]
    private var generations: [AccountID: Int] = [:]
    private var queue = DueQueue()
    private(set) var addresses: [AccountID: EmailAddress] = [:]
    private(set) var running: [AccountID: Task<Void, Never>] = [:]
    /// IMAP accounts' IDLE watchers (``startPush(for:)``) and the sessions they wait on.
    var watchers: [AccountID: Task<Void, Never>] = [:]
    var pushSessions: [AccountID: IMAPClient] = [:]
    /// What each watcher was started with, so a change restarts it, and which start it is, so a
    /// watcher that was replaced cannot touch its successor's entries.
    var pushSettings: [AccountID: PushSettings] = [:]
    var pushGenerations: [AccountID: Int] = [:]
    var lastPushGeneration = 0
    /// IMAP accounts whose watcher waits for a session slot (``SyncPolicy/maximumConcurrentSessions``).
    var pushWaiting: [AccountID: LinkedAccount] = [:]
    /// Accounts whose server announced mail while a check ran: checked again when it ends.
    var pushPending: Set<AccountID> = []
    private var lastProgress: [AccountID: Date] = [:]
    private var stalled: Set<AccountID> = []
    private var loop: Task<Void, Never>?
    private var watcher: Task<Void, Never>?
    private var sleeper: Task<Void, Never>?
    private var woken = false
    private var startWindow: TimeInterval = 0
    private(set) var stopping = false

    init(
        linker: AccountLinker, policy: SyncPolicy, clock: any SchedulerClock, shard: SyncShard?,
        jitter: @escaping @Sendable () -> Double
    ) {
        self.linker = linker
        self.policy = policy
        self.clock = clock
        self.shard = shard
        self.jitter = jitter
    }

    /// Whether it is running (started and not stopped).
    public var isRunning: Bool { loop != nil && !stopping }

    /// The schedule of an account it owns, or nil.
    public func schedule(of address: EmailAddress) -> AccountSchedule? { schedules[AccountID(address)] }

    /// Every account it owns with its schedule.
    public var schedulesByAccount: [AccountID: AccountSchedule] { schedules }

    /// Accounts with a check's session open now.
    public var inFlight: Set<AccountID> { Set(running.keys) }

    /// IMAP accounts with a push watcher (a session waiting in IDLE, or about to): each holds one
    /// of the ``SyncPolicy/maximumConcurrentSessions``.
    public var pushAccounts: Set<AccountID> { Set(watchers.keys) }

    /// Sessions the scheduler holds now: running checks and push watchers.
    var sessionsInUse: Int { running.count + watchers.count }

    /// Checks finished since the scheduler started (successful or not), for a dashboard or a
    /// caller waiting for a round of checks without following every event.
    public private(set) var completedChecks = 0

    func start(accounts: [LinkedAccount]) {
        let events = linker.broadcast.subscribe()
        watcher = Task { [weak self] in
            for await event in events {
                guard let self else { return }
                await self.observe(event)
            }
        }
        let now = clock.now
        // Accounts loaded together start spread out, not in one burst: over the jitter window,
        // but no wider than 50 ms per account, so a handful of accounts start at once.
        startWindow = min(AccountSchedule.seconds(policy.interval) * policy.jitter, 0.05 * Double(accounts.count))
        for account in accounts { add(account, at: now, spread: true) }
        loop = Task { await self.run() }
    }

    /// Checks an account now (or every account, with nil), also one that is paused or waits for
    /// its owner; a check already running is not started twice.
    public func checkNow(_ address: EmailAddress? = nil) {
        let now = clock.now
        for id in targets(address) where running[id] == nil {
            guard var schedule = schedules[id] else { continue }
            schedule.checkNow(at: now)
            set(id, schedule)
        }
        wake()
    }

    /// Stops checking an account (or every account) until ``resume(_:)``; a running check finishes.
    public func pause(_ address: EmailAddress? = nil) {
        for id in targets(address) { schedules[id]?.isPaused = true }
    }

    /// Checks a paused account (or every account) again, at its schedule.
    public func resume(_ address: EmailAddress? = nil) {
        for id in targets(address) {
            guard var schedule = schedules[id], schedule.isPaused else { continue }
            schedule.isPaused = false
            set(id, schedule)
        }
        wake()
    }

    /// Ends the scheduler: no new session starts; running ones are asked to end at their next
    /// batch boundary, and those still running after `deadline` are cancelled. The sync's
    /// ordering (store, record, then delete) means nothing is lost or duplicated either way.
    public func stop(within deadline: Duration = .seconds(10)) async {
        guard !stopping else { return }
        stopping = true
        loop?.cancel()
        sleeper?.cancel()
        watcher?.cancel()
        stopAllPush()
        await linker.stopRunningSyncs()
        let tasks = Array(running.values)
        let ids = Array(running.keys)
        let until = clock.now.addingTimeInterval(AccountSchedule.seconds(deadline))
        let clock = self.clock
        let linker = self.linker
        let addresses = ids.compactMap { self.addresses[$0] }
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for task in tasks { await task.value }
                return true
            }
            group.addTask {
                try? await clock.sleep(until: until)
                return false
            }
            if await group.next() == false {
                for address in addresses { await linker.cancelSync(address) }
            }
            group.cancelAll()
        }
        await linker.schedulerStopped(self)
    }

    // MARK: - Accounts coming and going

    /// A confirmed account (new or changed) is scheduled now; one that is no longer confirmed,
    /// needs its owner or belongs to another shard is dropped.
    func accountChanged(_ account: LinkedAccount) {
        guard !stopping else { return }
        if account.status == .confirmed, account.isUsable, shard?.owns(account.id) ?? true {
            add(account, at: clock.now, spread: false)
            wake()
        } else {
            schedules[account.id] = nil
            stopPush(for: account.id)
        }
    }

    func remove(_ id: AccountID) {
        schedules[id] = nil
        addresses[id] = nil
        stopPush(for: id)
    }

    private func add(_ account: LinkedAccount, at now: Date, spread: Bool) {
        let minimum = account.minimumCheckInterval
        var schedule = AccountSchedule(
            due: now, policy: policy, minimumInterval: minimum)
        if let interval = account.checkInterval { schedule.interval = max(interval, minimum ?? .zero) }
        if let existing = schedules[account.id] {
            schedule.interval = existing.interval
            schedule.isPaused = existing.isPaused
            schedule.messagesPerHour = existing.messagesPerHour
            schedule.lastCheck = existing.lastCheck
        }
        if spread {
            schedule.due = now.addingTimeInterval(startWindow * (jitter() + 1) / 2)
        } else {
            schedule.checkNow(at: now)
        }
        addresses[account.id] = account.address
        set(account.id, schedule)
        startPush(for: account)
        linker.broadcast.send(SyncEvent(account: account.id, kind: .scheduled(at: schedule.due, reason: schedule.reason), time: now))
    }

    /// Stores a schedule and queues its next check (older queue entries for it become stale).
    private func set(_ id: AccountID, _ schedule: AccountSchedule) {
        schedules[id] = schedule
        let generation = (generations[id] ?? 0) + 1
        generations[id] = generation
        if schedule.due != .distantFuture {
            queue.push(DueQueue.Entry(due: schedule.due, account: id, generation: generation))
        }
    }

    /// Whether a queue entry still stands for its account's current schedule, and may run.
    private func isCurrent(_ entry: DueQueue.Entry) -> Bool {
        guard generations[entry.account] == entry.generation, running[entry.account] == nil,
            let schedule = schedules[entry.account]
        else { return false }
        return !schedule.isPaused || schedule.reason == .checkNow
    }

    private func targets(_ address: EmailAddress?) -> [AccountID] {
        address.map { [AccountID($0)] } ?? Array(schedules.keys)
    }

    // MARK: - The loop

    private func run() async {
        while !stopping, !Task.isCancelled {
            let now = clock.now
            for (id, last) in lastProgress where running[id] != nil && !stalled.contains(id) {
                if now.timeIntervalSince(last) >= AccountSchedule.seconds(policy.stallLimit), let address = addresses[id] {
                    stalled.insert(id)
                    await linker.cancelSync(address)
                }
            }
            while sessionsInUse < policy.maximumConcurrentSessions, let entry = queue.first, entry.due <= now {
                _ = queue.popFirst()
                if isCurrent(entry) { launch(entry.account, at: now) }
            }
            await sleep(until: nextWake())
        }
    }

    private func nextWake() -> Date {
        var next = Date.distantFuture
        if sessionsInUse < policy.maximumConcurrentSessions {
            // Stale entries at the front are dropped here, so the wake time is a real check's.
            while let entry = queue.first, !isCurrent(entry) { _ = queue.popFirst() }
            if let entry = queue.first { next = entry.due }
        }
        for (id, last) in lastProgress where running[id] != nil && !stalled.contains(id) {
            next = min(next, last.addingTimeInterval(AccountSchedule.seconds(policy.stallLimit)))
        }
        return next
    }

    private func sleep(until deadline: Date) async {
        if woken {
            woken = false
            return
        }
        let clock = self.clock
        let task = Task<Void, Never> { _ = try? await clock.sleep(until: deadline) }
        sleeper = task
        await task.value
        sleeper = nil
        woken = false
    }

    func wake() {
        woken = true
        sleeper?.cancel()
    }

    private func launch(_ id: AccountID, at now: Date) {
        guard let address = addresses[id] else { return }
        lastProgress[id] = now
        let linker = self.linker
        running[id] = Task {
            let result = await linker.sync(address)
            await self.finished(id, result)
        }
    }

    private func observe(_ event: SyncEvent) {
        switch event.kind {
        case .listed, .progress:
            // Progress since the launch (which set the first mark) keeps the watchdog away.
            if running[event.account] != nil { lastProgress[event.account] = clock.now }
        default: break
        }
    }

    private func finished(_ id: AccountID, _ result: Result<MailboxSync.Report, LinkDiagnosisError>) async {
        running[id] = nil
        completedChecks += 1
        lastProgress[id] = nil
        let wasStalled = stalled.remove(id) != nil
        defer { wake() }
        guard !stopping, var schedule = schedules[id], let address = addresses[id] else { return }
        let now = clock.now
        if case .success(let report) = result, let delay = report.loginDelay {
            schedule.minimumInterval = max(schedule.minimumInterval ?? .zero, delay)
        }
        let outcome: AccountSchedule.Outcome =
            wasStalled ? .transient : AccountSchedule.Outcome(result, loginDelay: schedule.minimumInterval)
        let needsOwner = schedule.record(outcome, at: now, policy: policy, jitter: jitter())
        if pushPending.remove(id) != nil, !needsOwner { schedule.checkNow(at: now) }
        set(id, schedule)
        if needsOwner, case .failure(let error) = result {
            schedules[id] = nil
            stopPush(for: id)
            let attention: LinkedAccount.Attention =
                switch error.diagnosis.stage {
                case .popDisabled: .accessDisabled
                case .oauthRequired, .signInAgain: .signInAgain
                default: .passwordRefused
                }
            _ = try? await linker.setAttention(attention, for: address)
            linker.broadcast.send(SyncEvent(account: id, kind: .needsAttention(error.diagnosis), time: now))
        } else {
            linker.broadcast.send(SyncEvent(account: id, kind: .scheduled(at: schedule.due, reason: schedule.reason), time: now))
        }
    }
}

extension AccountLinker {
    /// Starts syncing every confirmed account by itself, and each one confirmed later, until
    /// ``SyncScheduler/stop(within:)``. Only one scheduler runs per linker; calling this again
    /// returns the running one.
    /// - Parameters:
    ///   - policy: intervals, back-off and concurrency.
    ///   - clock: the time to go by (a ``VirtualSchedulerClock`` in tests).
    ///   - shard: with several workers over one account store, the accounts this one owns.
    @discardableResult
    public func startScheduler(
        policy: SyncPolicy = SyncPolicy(), clock: any SchedulerClock = SystemSchedulerClock(), shard: SyncShard? = nil,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: -1...1) }
    ) async throws -> SyncScheduler {
        if let scheduler { return scheduler }
        let scheduler = SyncScheduler(linker: self, policy: policy, clock: clock, shard: shard, jitter: jitter)
        self.scheduler = scheduler
        let accounts = try await configuration.accounts.accounts().filter {
            $0.status == .confirmed && $0.isUsable && (shard?.owns($0.id) ?? true)
        }
        await scheduler.start(accounts: accounts)
        return scheduler
    }

    func schedulerStopped(_ stopped: SyncScheduler) {
        if scheduler === stopped { scheduler = nil }
    }
}
