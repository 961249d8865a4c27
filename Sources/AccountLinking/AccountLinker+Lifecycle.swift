import FolderRouting
import MailAuth
import MailMessage
import MailTransport
import POP3Protocol

extension AccountLinker {
    /// Every linked account, in the order they were linked.
    public func accounts() async throws -> [LinkedAccount] {
        try await configuration.accounts.accounts()
    }

    /// The linked account for `address`, if any.
    public func account(_ address: EmailAddress) async throws -> LinkedAccount? {
        try await configuration.accounts.account(AccountID(address))
    }

    /// Unlinks an account: its secret, its sync record and (if it was the default From) the
    /// default go. Its mail already imported stays, unless `deletingMail`: then its own folder is
    /// removed, or (when it shares a folder) its messages are.
    /// - Returns: the account as it was.
    @discardableResult
    public func unlink(_ address: EmailAddress, deletingMail: Bool = false) async throws -> LinkedAccount {
        let id = AccountID(address)
        _ = await runningSyncs[id]?.value
        let (removed, others) = try await configuration.accounts.update {
            accounts -> (LinkedAccount?, [LinkedAccount]) in
            guard let index = accounts.firstIndex(where: { $0.id == id }) else { return (nil, accounts) }
            let account = accounts.remove(at: index)
            return (account, accounts)
        }
        guard let removed else { throw lifecycleError("\(address) is not linked") }
        try await configuration.credentials.setSecret(nil, for: id)
        try await configuration.syncState.removeState(for: id.rawValue)
        if try await configuration.identities.defaultIdentity() == id {
            try await configuration.identities.setDefaultIdentity(nil)
        }
        lastSync[id] = nil
        try await configuration.history.removeChecks(for: id)
        await scheduler?.remove(id)
        if deletingMail {
            let folder = removed.folder
            let shared =
                folder.isInbox || others.contains { $0.folder == folder }
                || !removed.rules.isEmpty
            if shared {
                for candidate in try await configuration.store.folders() {
                    for message in try await configuration.store.messages(in: candidate)
                    where message.origin?.account == id.rawValue {
                        try await configuration.store.remove(message.id)
                    }
                }
            } else if try await configuration.store.folders().contains(folder) {
                try await configuration.store.removeFolder(folder)
            }
        }
        logger.info("unlinked \(id)", metadata: ["account": id.rawValue])
        return removed
    }

    /// Changes an account's settings atomically: destination, marker, copies, rules, servers,
    /// trust, incoming protocol and IMAP mailboxes. Mail already imported stays where it is.
    ///
    /// A change of protocol without a server takes the new protocol's discovered server; it
    /// waits for the account's running sync, and the first pass over the new protocol recognises
    /// the mail the old one imported by its content instead of importing it again.
    /// - Returns: the account as changed.
    @discardableResult
    public func update(_ address: EmailAddress, _ asked: AccountChange) async throws -> LinkedAccount {
        let id = AccountID(address)
        var completed = asked
        if let wanted = asked.incomingProtocol {
            guard let current = try await configuration.accounts.account(id) else {
                throw lifecycleError("\(address) is not linked")
            }
            if wanted != current.incomingProtocol {
                if completed.incoming == nil { completed.incoming = try await discoveredIncoming(address, wanted) }
                _ = await runningSyncs[id]?.value
                try await labelSyncState(of: id, as: current.incomingProtocol)
            }
        }
        let change = completed
        let folders = try await configuration.store.folders()
        let updated = try await configuration.accounts.update { accounts -> LinkedAccount? in
            guard let index = accounts.firstIndex(where: { $0.id == id }) else { return nil }
            var account = accounts[index]
            switch change.destination {
            case .newFolder?:
                let taken = folders + accounts.filter { $0.id != id }.map(\.folder)
                account.destination = .folder(Folder.named(afterAccount: id.rawValue, avoiding: taken))
            case .inbox?: account.destination = .inbox
            case .folder(let folder)?: account.destination = .folder(folder)
            case nil: break
            }
            if let marker = change.marker { account.marker = marker }
            if let copies = change.copies { account.apply(copies) }
            if let rules = change.rules { account.rules = rules }
            if let incoming = change.incoming { account.incoming = incoming }
            if let outgoing = change.outgoing { account.outgoing = outgoing }
            if let connection = change.connection { account.connection = connection }
            if let incomingProtocol = change.incomingProtocol { account.incomingProtocol = incomingProtocol }
            if let imap = change.imap { account.imap = imap }
            if change.incoming != nil || change.connection != nil { account.attention = nil }
            accounts[index] = account
            return account
        }
        guard let updated else { throw lifecycleError("\(address) is not linked") }
        await scheduler?.accountChanged(updated)
        return updated
    }

    /// Replaces an account's secret (a new password, app password or token provider). With
    /// `verifying`, the new secret first signs in to the incoming server, so a typo does not
    /// stop the account's sync.
    public func changeSecret(
        _ secret: Credentials.Secret, for address: EmailAddress, verifying: Bool = true
    ) async throws {
        let id = AccountID(address)
        guard let account = try await configuration.accounts.account(id) else {
            throw lifecycleError("\(address) is not linked")
        }
        if verifying {
            do {
                let (source, _) = try await configuration.sessions.openIncoming(
                    account.incoming, protocol: account.incomingProtocol, secret: secret, policy: account.connection)
                _ = try? await source.finish()
            } catch {
                throw LinkDiagnosisError(
                    ProviderAdvice(configuration.providerHints(address)).refine(LinkDiagnosis(error)))
            }
        }
        try await configuration.credentials.setSecret(secret, for: id)
        logger.info("secret of \(id) changed", metadata: ["account": id.rawValue])
        if account.attention == .passwordRefused || account.attention == .signInAgain {
            await scheduler?.accountChanged(try await setAttention(nil, for: address))
        } else {
            await scheduler?.secretChanged(account)
        }
    }

    /// The discovered server of `wanted` for `address`, for a change of protocol named without one.
    private func discoveredIncoming(_ address: EmailAddress, _ wanted: IncomingProtocol) async throws -> ServerSettings
    {
        let name = wanted.rawValue.uppercased()
        let byHand = "Give the \(name) server, port and security with the change."
        guard let discover = configuration.discover else {
            throw LinkDiagnosisError(
                LinkDiagnosis(
                    stage: .discovery, summary: "no \(name) server is known for \(address)", suggestion: byHand))
        }
        let found: DiscoveredAccountSettings
        do {
            found = try await discover(address)
        } catch let error as LinkDiagnosisError {
            throw error
        } catch {
            throw LinkDiagnosisError(LinkDiagnosis(error))
        }
        guard let chosen = found.choosing(wanted) else {
            if wanted == .pop3 {
                throw LinkDiagnosisError(ProviderAdvice(found.hints).noPOP3(provider: address.domain))
            }
            throw LinkDiagnosisError(
                LinkDiagnosis(
                    stage: .discovery, summary: "no \(name) server was found for \(address.domain)", suggestion: byHand)
            )
        }
        // A password goes only to settings that need nobody's approval; the others are named.
        guard !chosen.requiresConfirmation else {
            throw LinkDiagnosisError(
                LinkDiagnosis(
                    stage: .discovery,
                    summary: "the \(name) server found for \(address.domain) (\(chosen.incoming.endpoint), from "
                        + "\(chosen.origin)) needs your confirmation: "
                        + chosen.confirmationReasons.joined(separator: "; "),
                    suggestion:
                        "If it is right, give that server, port and security with the change; nothing was sent to it."))
        }
        return chosen.incoming
    }

    /// Marks the account's sync record as `old`'s when it predates records that say their
    /// protocol, so that a pass over the new protocol does not read its ids as its own.
    private func labelSyncState(of id: AccountID, as old: IncomingProtocol) async throws {
        var state: SyncState
        do {
            state = try await configuration.syncState.state(for: id.rawValue)
        } catch let error as SyncError where error.code == .stateUnreadable {
            return  // the next pass rebuilds it from the store
        }
        guard state.incomingProtocol == nil, state != SyncState() else { return }
        state.incomingProtocol = old
        try await configuration.syncState.save(state, for: id.rawValue)
    }

    func lifecycleError(_ summary: String) -> LinkDiagnosisError {
        LinkDiagnosisError(
            LinkDiagnosis(stage: .other, summary: summary, suggestion: "Check the address; `accounts` lists them."))
    }
}
