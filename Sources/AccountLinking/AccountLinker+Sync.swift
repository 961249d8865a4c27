import AutoDiscovery
import FolderRouting
import Foundation
import MailMessage
import MailTransport
import POP3Protocol

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

    /// One sync pass of every confirmed account; failures are kept per account, not thrown.
    @discardableResult
    public func syncAll() async throws -> [AccountID: Result<MailboxSync.Report, LinkDiagnosisError>] {
        var results: [AccountID: Result<MailboxSync.Report, LinkDiagnosisError>] = [:]
        for account in try await configuration.accounts.accounts() where account.status == .confirmed {
            results[account.id] = await sync(account.address)
        }
        return results
    }

    /// One sync pass of one confirmed account. A sync of the same account already running is
    /// joined rather than started twice, so two sessions never share one mailbox.
    @discardableResult
    public func sync(_ address: EmailAddress) async -> Result<MailboxSync.Report, LinkDiagnosisError> {
        let id = AccountID(address)
        if let running = runningSyncs[id] { return await running.value }
        let task = Task { await self.performSync(id) }
        runningSyncs[id] = task
        let result = await task.value
        runningSyncs[id] = nil
        lastSync[id] = result
        return result
    }

    private func performSync(_ id: AccountID) async -> Result<MailboxSync.Report, LinkDiagnosisError> {
        let broadcast = self.broadcast
        let now = configuration.now
        broadcast.send(SyncEvent(account: id, kind: .started, time: now()))
        let result: Result<MailboxSync.Report, LinkDiagnosisError>
        do {
            guard let account = try await configuration.accounts.account(id), account.status == .confirmed else {
                throw lifecycleError("\(id) is not a confirmed account")
            }
            guard let secret = try await configuration.credentials.secret(for: id) else {
                throw LinkDiagnosisError(LinkDiagnosis(
                    stage: .authentication, summary: "no password is stored for \(account.address)",
                    suggestion: "Give the account's password again (change its secret, or link it again)."))
            }
            let client = try await configuration.sessions.openPOP3(account.incoming, secret: secret, policy: account.connection)
            let sync = MailboxSync(
                options: .init(
                    account: id.rawValue, destination: RoutingDecision(folder: account.folder, marker: account.marker),
                    router: account.router, keepCopiesOnServer: account.keepCopiesOnServer,
                    deleteAfterDays: account.deleteAfterDays),
                store: configuration.store, state: configuration.syncState)
            do {
                let report = try await sync.run(POP3Mailbox(client: client), now: now()) { event in
                    switch event {
                    case .listed(let total, let new):
                        broadcast.send(SyncEvent(account: id, kind: .listed(total: total, new: new), time: now()))
                    case .progress(let fetched, let total, let bytes):
                        broadcast.send(SyncEvent(account: id, kind: .progress(fetched: fetched, of: total, bytes: bytes), time: now()))
                    case .finished: break
                    }
                }
                result = .success(report)
            } catch {
                await client.close()
                throw error
            }
        } catch let error as LinkDiagnosisError {
            result = .failure(error)
        } catch {
            let hints = (try? EmailAddress(id.rawValue)).map(configuration.providerHints) ?? ProviderHints.none
            result = .failure(LinkDiagnosisError(ProviderAdvice(hints).refine(LinkDiagnosis(error))))
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
}
