import AutoDiscovery
import FolderRouting
import MailMessage
import MailTransport
import POP3Protocol
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AccountLinker {
    /// Every sync event of this linker from now on: started, listed, progress, finished, failed.
    /// Each call returns a new stream; it ends when the caller stops iterating.
    public func syncEvents() -> AsyncStream<SyncEvent> {
        broadcast.subscribe()
    }

    /// Waits until the syncs started by ``confirm(_:address:)`` have finished.
    public func waitForPendingSyncs() async {
        let tasks = startedSyncs
        startedSyncs = []
        for task in tasks { _ = await task.value }
    }

    func startSync(of account: LinkedAccount) {
        startedSyncs.append(Task { await self.sync(account.address) })
    }

    /// One sync pass of every confirmed account that needs nothing from its owner (of `shard`,
    /// when given), at most `concurrency` at once; failures are kept per account, not thrown.
    @discardableResult
    public func syncAll(
        concurrency: Int = 1, shard: SyncShard? = nil
    ) async throws -> [AccountID: Result<MailboxSync.Report, LinkDiagnosisError>] {
        let accounts = try await configuration.accounts.accounts().filter {
            $0.status == .confirmed && $0.isUsable && (shard?.owns($0.id) ?? true)
        }
        var results: [AccountID: Result<MailboxSync.Report, LinkDiagnosisError>] = [:]
        await withTaskGroup(of: (AccountID, Result<MailboxSync.Report, LinkDiagnosisError>).self) { group in
            var waiting = accounts[...]
            func startNext() {
                guard let account = waiting.popFirst() else { return }
                group.addTask { (account.id, await self.sync(account.address)) }
            }
            for _ in 0..<max(1, concurrency) { startNext() }
            while let (id, result) = await group.next() {
                results[id] = result
                startNext()
            }
        }
        return results
    }

    /// One sync pass of one confirmed account. A sync of the same account already running is
    /// joined rather than started twice, so two sessions never share one mailbox; another
    /// process syncing it (``Configuration/locks``) makes this pass a no-op whose report says
    /// ``MailboxSync/Report/heldElsewhere``.
    @discardableResult
    public func sync(_ address: EmailAddress) async -> Result<MailboxSync.Report, LinkDiagnosisError> {
        let id = AccountID(address)
        if let running = runningSyncs[id] { return await running.value }
        let stop = currentStop
        let task = Task { await self.performSync(id, stop: stop) }
        runningSyncs[id] = task
        let result = await task.value
        runningSyncs[id] = nil
        lastSync[id] = result
        do {
            try await configuration.history.record(
                SyncCheck(time: configuration.now(), result: result), for: id, keeping: SyncCheck.kept)
        } catch {
            logger.warning("the check history of \(id) could not be written: \(error)", metadata: ["account": id.rawValue])
        }
        return result
    }

    /// The outcome of the account's last checks, oldest first (at most ``SyncCheck/kept``), as a
    /// web mail's "view history" shows them; from ``Configuration/history``, so with files it
    /// includes checks of earlier runs and of other processes on the same folder.
    /// - Throws: ``StateFileError`` when the history cannot be read.
    public func history(of address: EmailAddress) async throws -> [SyncCheck] {
        try await configuration.history.checks(for: AccountID(address))
    }

    /// Whether a sync of the account is running now.
    public func isSyncing(_ address: EmailAddress) -> Bool {
        runningSyncs[AccountID(address)] != nil
    }

    /// Asks every running pass to end at its next batch boundary (what is stored stays recorded,
    /// the session ends cleanly); passes started afterwards run normally.
    public func stopRunningSyncs() {
        currentStop.request()
        currentStop = SyncStop()
    }

    /// Cancels the running pass of an account at once (a stalled session): the sync's ordering
    /// (store, then record, then delete) means nothing is lost or duplicated; the pass reports a
    /// cancellation failure.
    public func cancelSync(_ address: EmailAddress) {
        runningSyncs[AccountID(address)]?.cancel()
    }

    /// Marks an account as needing its owner (or clears the mark with nil), as a scheduler does
    /// when a sign-in is refused again and again.
    @discardableResult
    public func setAttention(_ attention: LinkedAccount.Attention?, for address: EmailAddress) async throws -> LinkedAccount {
        let id = AccountID(address)
        let changed = try await configuration.accounts.update { accounts -> LinkedAccount? in
            guard let index = accounts.firstIndex(where: { $0.id == id }) else { return nil }
            accounts[index].attention = attention
            return accounts[index]
        }
        guard let changed else { throw lifecycleError("\(address) is not linked") }
        return changed
    }

    func publish(_ event: SyncEvent) { broadcast.send(event) }

    private func performSync(_ id: AccountID, stop: SyncStop) async -> Result<MailboxSync.Report, LinkDiagnosisError> {
        let broadcast = self.broadcast
        let now = configuration.now
        let result: Result<MailboxSync.Report, LinkDiagnosisError>
        do {
            guard let lock = try await configuration.locks.tryLock(id) else {
                var report = MailboxSync.Report()
                report.heldElsewhere = true
                logger.info("\(id) is being synced by another process; skipped", metadata: ["account": id.rawValue])
                broadcast.send(SyncEvent(account: id, kind: .finished(report), time: now()))
                return .success(report)
            }
            defer { lock.release() }
            broadcast.send(SyncEvent(account: id, kind: .started, time: now()))
            result = await runPass(id, stop: stop)
        } catch {
            result = .failure(LinkDiagnosisError(LinkDiagnosis(error)))
        }
        switch result {
        case .success(let report):
            logger.info("synced \(id): \(report.fetched) new", metadata: ["account": id.rawValue])
            broadcast.send(SyncEvent(account: id, kind: .finished(report), time: now()))
        case .failure(let error):
            logger.warning("sync of \(id) failed: \(error.diagnosis.summary)", metadata: ["account": id.rawValue])
            broadcast.send(SyncEvent(account: id, kind: .failed(error.diagnosis), time: now()))
        }
        return result
    }

    private func runPass(_ id: AccountID, stop: SyncStop) async -> Result<MailboxSync.Report, LinkDiagnosisError> {
        let broadcast = self.broadcast
        let now = configuration.now
        do {
            guard let account = try await configuration.accounts.account(id), account.status == .confirmed else {
                throw lifecycleError("\(id) is not a confirmed account")
            }
            guard let secret = try await configuration.credentials.secret(for: id) else {
                throw LinkDiagnosisError(LinkDiagnosis(
                    stage: .authentication, summary: "no password is stored for \(account.address)",
                    suggestion: "Give the account's password again (change its secret, or link it again)."))
            }
            let (source, close) = try await configuration.sessions.openIncoming(
                account.incoming, protocol: account.incomingProtocol, imap: account.imap, secret: secret,
                policy: account.connection)
            let sync = MailboxSync(
                options: .init(
                    account: id.rawValue, destination: RoutingDecision(folder: account.folder, marker: account.marker),
                    router: account.router, keepCopiesOnServer: account.keepCopiesOnServer,
                    deleteAfterDays: account.deleteAfterDays, incomingProtocol: account.incomingProtocol),
                store: configuration.store, state: configuration.syncState)
            do {
                let report = try await sync.run(source, now: now(), stop: stop) { event in
                    switch event {
                    case .listed(let total, let new):
                        broadcast.send(SyncEvent(account: id, kind: .listed(total: total, new: new), time: now()))
                    case .progress(let fetched, let total, let bytes):
                        broadcast.send(SyncEvent(account: id, kind: .progress(fetched: fetched, of: total, bytes: bytes), time: now()))
                    case .finished: break
                    }
                }
                return .success(report)
            } catch {
                await close()
                throw error
            }
        } catch let error as LinkDiagnosisError {
            return .failure(error)
        } catch {
            let hints = (try? EmailAddress(id.rawValue)).map(configuration.providerHints) ?? ProviderHints.none
            return .failure(LinkDiagnosisError(ProviderAdvice(hints).refine(LinkDiagnosis(error))))
        }
    }
}

/// The outcome of one check of an account, for its history.
public struct SyncCheck: Sendable, Equatable {
    /// How many checks an account's history keeps.
    public static let kept = 20

    /// When the check ended.
    public var time: Date
    /// Its report, or why it failed.
    public var result: Result<MailboxSync.Report, LinkDiagnosisError>

    /// A check that ended at `time`.
    public init(time: Date, result: Result<MailboxSync.Report, LinkDiagnosisError>) {
        self.time = time
        self.result = result
    }

    /// New messages fetched (0 for a failed check).
    public var fetched: Int { (try? result.get().fetched) ?? 0 }

    /// Why it failed, or nil.
    public var failure: LinkDiagnosis? {
        if case .failure(let error) = result { error.diagnosis } else { nil }
    }
}
