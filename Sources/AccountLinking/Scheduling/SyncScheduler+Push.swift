import IMAPProtocol
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Push for IMAP accounts: while the scheduler runs, each IMAP account has a second session that
/// waits in IDLE (RFC 2177) and asks for a check as soon as the server announces new mail. The
/// regular checks go on as well, so a server without IDLE, or a watcher that lost its
/// connection, falls back to polling by the ``SyncPolicy``'s rules.
///
/// A watcher is restarted when the settings it signed in with change (server, trust, protocol,
/// mailboxes, secret) and stopped when the account no longer uses IMAP. Each watcher holds one of
/// the ``SyncPolicy/maximumConcurrentSessions``, so a provider that limits simultaneous
/// connections never sees more than the policy promises; watchers take at most all but one, so
/// checks always run, and an account whose watcher finds no slot is polled until one frees.
extension SyncScheduler {
    /// What a watcher's session depends on: a change to any of it restarts the watcher.
    struct PushSettings: Hashable {
        var incoming: ServerSettings
        var connection: ConnectionPolicy
        var mailbox: IMAPMailboxName

        init(_ account: LinkedAccount) {
            incoming = account.incoming
            connection = account.connection
            mailbox = account.imap.pushMailbox
        }
    }

    /// Starts the IDLE watcher of an IMAP account, restarting it when its settings changed; stops
    /// it when push is off or the account is not an IMAP account.
    func startPush(for account: LinkedAccount) {
        let id = account.id
        guard policy.pushWithIDLE, account.incomingProtocol == .imap, !stopping else {
            stopPush(for: id)
            return
        }
        let settings = PushSettings(account)
        if watchers[id] != nil {
            if pushSettings[id] == settings { return }
            endWatcher(id)  // its slot is reused for the new one
        }
        // One slot stays for checks: with every slot but one taken by watchers, this one waits.
        guard watchers.count < policy.maximumConcurrentSessions - 1 else {
            pushWaiting[id] = account
            return
        }
        pushWaiting[id] = nil
        lastPushGeneration += 1
        let generation = lastPushGeneration
        pushGenerations[id] = generation
        pushSettings[id] = settings
        let linker = self.linker
        let clock = self.clock
        let (idle, retry, cap) = (policy.idleRestart, policy.retryDelay, policy.retryCap)
        let mailbox = settings.mailbox
        watchers[id] = Task { [weak self] in
            var uidNext: UInt32?
            var failures = 0
            while !Task.isCancelled {
                var opened: IMAPClient?
                do {
                    guard let client = try await linker.openPushSession(id, idle: idle) else {
                        // Not a usable IMAP account any more: the slot goes back.
                        await self?.watcherEnded(id, generation)
                        return
                    }
                    opened = client
                    guard await self?.watching(id, generation, client) == true else {
                        await client.close()
                        return
                    }
                    while !Task.isCancelled {
                        let woke = try await IMAPSyncMailbox.waitForNewMail(
                            on: client, in: mailbox, since: &uidNext, timeout: idle)
                        failures = 0
                        if woke { await self?.pushed(id) }
                    }
                    await client.close()
                } catch let error as IMAPError where error.code == .notSupported {
                    // No IDLE here: the regular checks are all there is.
                    await opened?.close()
                    await self?.watcherEnded(id, generation)
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

    /// Restarts an account's watcher, if it has one, so that it signs in with the account's new
    /// secret instead of keeping the session the old one opened.
    func secretChanged(_ account: LinkedAccount) {
        guard endWatcher(account.id) else { return }
        startPush(for: account)
    }

    /// Ends an account's watcher and closes its session (which also ends a wait in IDLE); its
    /// slot goes to an account waiting for one, or to the checks.
    func stopPush(for id: AccountID) {
        pushWaiting[id] = nil
        if endWatcher(id) { slotFreed() }
    }

    /// Cancels an account's watcher and closes its session; false when it had none.
    @discardableResult
    private func endWatcher(_ id: AccountID) -> Bool {
        pushSettings[id] = nil
        pushGenerations[id] = nil
        let stopped = watchers.removeValue(forKey: id)
        stopped?.cancel()
        if let client = pushSessions.removeValue(forKey: id) { Task { await client.close() } }
        return stopped != nil
    }

    /// Ends every watcher.
    func stopAllPush() {
        pushWaiting = [:]
        for id in Array(watchers.keys) { stopPush(for: id) }
    }

    /// Notes the session a watcher idles on; false when the watcher was stopped or replaced meanwhile.
    private func watching(_ id: AccountID, _ generation: Int, _ client: IMAPClient) -> Bool {
        guard pushGenerations[id] == generation, watchers[id] != nil, !stopping else { return false }
        pushSessions[id] = client
        return true
    }

    private func watcherEnded(_ id: AccountID, _ generation: Int) {
        guard pushGenerations[id] == generation else { return }
        watchers[id] = nil
        pushSessions[id] = nil
        pushGenerations[id] = nil
        slotFreed()
    }

    /// A watcher's slot is free: an account waiting for one gets it (the first by address, so
    /// the order is the same every run), else the loop may start a check in it.
    private func slotFreed() {
        guard !stopping else { return }
        if let next = pushWaiting.values.min(by: { $0.id.rawValue < $1.id.rawValue }) {
            startPush(for: next)
        }
        wake()
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

extension IMAPSourceOptions {
    /// The mailbox push waits on (IDLE watches the selected mailbox only, RFC 2177 §3): INBOX,
    /// unless the account reads named mailboxes without it, then the first of those.
    var pushMailbox: IMAPMailboxName {
        guard case .named(let names) = mailboxes, let first = names.first,
            !names.contains(where: { IMAPMailboxName(wire: $0).isInbox })
        else { return .inbox }
        return IMAPMailboxName(wire: first)
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
