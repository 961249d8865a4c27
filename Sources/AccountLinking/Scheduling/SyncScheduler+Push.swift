import Foundation
import IMAPProtocol
import MailTransport

/// Push for IMAP accounts: while the scheduler runs, each IMAP account has a second session that
/// waits in IDLE (RFC 2177) and asks for a check as soon as the server announces new mail. The
/// regular checks go on as well, so a server without IDLE, or a watcher that lost its
/// connection, falls back to polling by the ``SyncPolicy``'s rules.
extension SyncScheduler {
    /// Starts the IDLE watcher of an IMAP account, unless push is off or one runs already.
    func startPush(for account: LinkedAccount) {
        guard policy.pushWithIDLE, account.incomingProtocol == .imap, watchers[account.id] == nil else { return }
        let id = account.id
        let linker = self.linker
        let clock = self.clock
        let (idle, retry, cap) = (policy.idleRestart, policy.retryDelay, policy.retryCap)
        watchers[id] = Task { [weak self] in
            var uidNext: UInt32?
            var failures = 0
            while !Task.isCancelled {
                var opened: IMAPClient?
                do {
                    guard let client = try await linker.openPushSession(id, idle: idle) else { return }
                    opened = client
                    guard await self?.watching(id, client) == true else {
                        await client.close()
                        return
                    }
                    while !Task.isCancelled {
                        let woke = try await IMAPSyncMailbox.waitForNewMail(on: client, since: &uidNext, timeout: idle)
                        failures = 0
                        if woke { await self?.pushed(id) }
                    }
                    await client.close()
                } catch let error as IMAPError where error.code == .notSupported {
                    // No IDLE here: the regular checks are all there is.
                    await opened?.close()
                    await self?.watcherEnded(id)
                    return
                } catch {
                    await opened?.close()
                    if Task.isCancelled { return }
                    failures += 1
                    let delay = min(
                        AccountSchedule.seconds(retry) * Double(1 << min(failures - 1, 16)),
                        AccountSchedule.seconds(cap))
                    try? await clock.sleep(until: clock.now.addingTimeInterval(delay))
                }
            }
        }
    }

    /// Ends an account's watcher and closes its session (which also ends a wait in IDLE).
    func stopPush(for id: AccountID) {
        watchers.removeValue(forKey: id)?.cancel()
        if let client = pushSessions.removeValue(forKey: id) { Task { await client.close() } }
    }

    /// Ends every watcher.
    func stopAllPush() {
        for id in Array(watchers.keys) { stopPush(for: id) }
    }

    /// Notes the session a watcher idles on; false when the watcher was stopped meanwhile.
    private func watching(_ id: AccountID, _ client: IMAPClient) -> Bool {
        guard watchers[id] != nil, !stopping else { return false }
        pushSessions[id] = client
        return true
    }

    private func watcherEnded(_ id: AccountID) {
        watchers[id] = nil
        pushSessions[id] = nil
    }

    /// The server announced new mail: check the account now, or right after its running check
    /// (mail that came during a check may have missed it).
    func pushed(_ id: AccountID) {
        guard !stopping, let schedule = schedules[id], !schedule.isPaused else { return }
        if running[id] != nil {
            pushPending.insert(id)
            return
        }
        if let address = addresses[id] { checkNow(address) }
    }
}

extension AccountLinker {
    /// A signed-in IMAP session for an account's push watcher, whose reads wait longer than one
    /// IDLE (`idle`); nil when the account is not a usable, confirmed IMAP account.
    func openPushSession(_ id: AccountID, idle: Duration) async throws -> IMAPClient? {
        guard let account = try await configuration.accounts.account(id), account.status == .confirmed,
            account.isUsable, account.incomingProtocol == .imap,
            let secret = try await configuration.credentials.secret(for: id)
        else { return nil }
        var opener = configuration.sessions
        var policy = account.connection
        var timeouts = opener.timeouts(for: policy)
        timeouts.read = max(timeouts.read, idle + .seconds(60))
        opener.timeouts = timeouts
        policy.timeoutSeconds = nil
        return try await opener.openIMAP(account.incoming, secret: secret, policy: policy)
    }
}
