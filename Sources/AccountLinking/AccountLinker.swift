import AutoDiscovery
import FolderRouting
import IMAPProtocol
import MailAuth
import MailMessage
import MailTransport
import POP3Protocol
import SMTPSender
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The Hotmail "Add an e-mail account" flow: link an address, test the connection with visible
/// progress, send a confirmation e-mail, and once its link is followed (or its code typed), sync
/// the account's mail into its folder by itself; afterwards, send as any linked address.
///
/// A thin facade: the flow's decisions are ``LinkFlow`` (a pure state machine), accounts and
/// secrets live behind ``AccountStore`` and ``CredentialStore``, sessions are opened by
/// ``SessionOpener``, the loss-free sync is ``MailboxSync``. The actor performs I/O and bookkeeping.
///
/// ```swift
/// let linker = AccountLinker(configuration: .inMemory(
///     primaryAddress: try EmailAddress("me@example.com"), confirmationSender: sender,
///     confirmationBaseURL: "https://mail.example.com/confirm"))
/// for await step in await linker.link(address: try EmailAddress("someone@example.net"),
///                                     secret: .password("app-password")) {
///     print(step)   // connecting, signing in, connected, confirmation sent, waiting …
/// }
/// try await linker.confirm("https://mail.example.com/confirm?token=…")   // syncing starts by itself
/// ```
public actor AccountLinker {
    /// What the linker works with.
    public let configuration: Configuration
    let broadcast = Broadcast<SyncEvent>()
    var runningSyncs: [AccountID: Task<Result<MailboxSync.Report, LinkDiagnosisError>, Never>] = [:]
    var startedSyncs: [Task<Result<MailboxSync.Report, LinkDiagnosisError>, Never>] = []
    /// The outcome of the last sync of each account that this linker ran (``history(of:)`` has
    /// every process's checks, kept by ``Configuration/history``).
    public internal(set) var lastSync: [AccountID: Result<MailboxSync.Report, LinkDiagnosisError>] = [:]
    var currentStop = SyncStop()
    /// The scheduler started by ``startScheduler(policy:clock:shard:jitter:)``, if any.
    public internal(set) var scheduler: SyncScheduler?

    /// A linker over `configuration`.
    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    var logger: MailLogger { configuration.logger }

    // MARK: - Linking

    /// Links `address`: settings (given or discovered, approved where needed), a real sign-in to
    /// test them, then the confirmation e-mail. The stream ends with a final step
    /// (``LinkStep/isFinal``). Nothing is fetched before the owner confirms.
    public func link(
        address: EmailAddress, secret: Credentials.Secret, options: LinkOptions = LinkOptions()
    ) -> AsyncStream<LinkStep> {
        AsyncStream { continuation in
            let task = Task {
                await self.runLink(address: address, secret: secret, options: options) { continuation.yield($0) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// ``link(address:secret:options:)`` with the address as typed; an address that does not
    /// parse ends the flow at once with a diagnosis.
    public func link(
        address text: String, secret: Credentials.Secret, options: LinkOptions = LinkOptions()
    ) -> AsyncStream<LinkStep> {
        do {
            return link(address: try EmailAddress(text), secret: secret, options: options)
        } catch {
            let diagnosis = LinkDiagnosis(
                stage: .other, summary: "\(text) is not an e-mail address (\(error))",
                suggestion: "Type the whole address, such as someone@example.com.")
            return AsyncStream { continuation in
                continuation.yield(.needsManualSettings(diagnosis))
                continuation.finish()
            }
        }
    }

    /// The flow with `secret`, or (nil) with the OAuth sign-in `oauth` obtaining it.
    func runLink(
        address: EmailAddress, secret given: Credentials.Secret?, oauth: OAuthSignIn? = nil, options: LinkOptions,
        emit: (LinkStep) -> Void
    ) async {
        let id = AccountID(address)
        var input = LinkFlow.Input(
            address: address, secretKind: given?.kind ?? .oauth2, manualIncoming: options.incoming,
            manualOutgoing: options.outgoing, acceptsDiscoveredSettings: options.acceptDiscoveredSettings,
            canAskForApproval: options.approve != nil, hints: configuration.providerHints(address),
            authorizesWithOAuth: given == nil, oauthServerGiven: oauth?.namesServer ?? false)
        input.incomingProtocol = options.incomingProtocol ?? (options.incoming == nil ? nil : .pop3)
        var flow = LinkFlow(input)
        var secret = given
        var authorization: Authorization?
        // Manual settings speak the protocol chosen (POP3 unless told); discovered ones theirs.
        var incomingProtocol = options.incomingProtocol ?? .pop3
        var confirmation: ConfirmationSecret?
        var pending = flow.handle(.start)
        while !pending.isEmpty {
            let action = pending.removeFirst()
            let event: LinkFlow.Event
            switch action {
            case .report(let step):
                logger.info("link \(id): \(Self.logLine(step))", metadata: ["account": id.rawValue])
                emit(step)
                continue
            case .finish:
                return
            case .discover:
                event = await discover(address, choice: options.incomingProtocol)
                if case .discovered(let settings) = event { incomingProtocol = settings.incomingProtocol }
            case .askApproval(let settings):
                event = .approval(await options.approve?(settings) ?? false)
            case .authorize(let hints):
                guard let oauth else { preconditionFailure("the flow authorizes only an OAuth link") }
                switch await authorize(oauth, address: address, hints: hints, incoming: incomingProtocol, prompt: { prompt in
                    for case .report(let next) in flow.handle(.authorizationPrompt(prompt)) { emit(next) }
                }) {
                case .success(let signedIn):
                    authorization = signedIn
                    secret = signedIn.secret
                    event = .authorized
                case .failure(let error):
                    event = .authorizationFailed(error.diagnosis)
                }
            case .signIn(let settings):
                guard let secret else { preconditionFailure("the flow signs in only once it has a secret") }
                event = await trySignIn(
                    settings, protocol: incomingProtocol, secret: secret, policy: options.connection
                ) { step in
                    for case .report(let next) in flow.handle(step) { emit(next) }
                }
            case .save(let incoming, let outgoing):
                guard let secret else { preconditionFailure("the flow saves only after signing in") }
                let secretForLink = ConfirmationSecret()
                confirmation = secretForLink
                event = await save(
                    address: address, secret: secret, authorization: authorization, incoming: incoming,
                    incomingProtocol: incomingProtocol,
                    outgoing: outgoing, options: options, confirmation: secretForLink)
            case .sendConfirmation:
                guard let confirmation else { preconditionFailure("a confirmation is sent only after saving") }
                event = await deliverConfirmation(to: id, secret: confirmation)
            }
            pending += flow.handle(event)
        }
    }

    /// Discovery, then the user's protocol `choice` (nil: IMAP when offered, else POP3).
    private func discover(_ address: EmailAddress, choice: IncomingProtocol?) async -> LinkFlow.Event {
        guard let discover = configuration.discover else {
            return .discoveryFailed(LinkDiagnosis(
                stage: .discovery, summary: "no server settings are known for \(address)",
                suggestion: "Enter the POP3 server, port and security by hand."))
        }
        do {
            let found = try await discover(address)
            guard let choice else { return .discovered(found.automatic) }
            guard let chosen = found.choosing(choice) else {
                let provider = address.domain
                if choice == .pop3 { return .discoveryFailed(ProviderAdvice(found.hints).noPOP3(provider: provider)) }
                return .discoveryFailed(LinkDiagnosis(
                    stage: .discovery, summary: "no IMAP server was found for \(provider)",
                    suggestion: "Link it over POP3, or enter the IMAP server, port and security by hand."))
            }
            return .discovered(chosen)
        } catch {
            return .discoveryFailed(LinkDiagnosis(error))
        }
    }

    /// The flow's sign-in: connect, sign in, count the messages (POP3 STAT; IMAP STATUS of
    /// INBOX, RFC 9051 §6.3.11), end the session.
    private func trySignIn(
        _ settings: ServerSettings, protocol incoming: IncomingProtocol, secret: Credentials.Secret,
        policy: ConnectionPolicy, connected: (LinkFlow.Event) -> Void
    ) async -> LinkFlow.Event {
        let sessions = configuration.sessions
        do {
            switch incoming {
            case .pop3:
                let client = try await sessions.connectPOP3(settings, policy: policy)
                connected(.connected)
                try await sessions.signIn(client, settings, secret: secret, policy: policy)
                return try await Self.counting(close: { await client.close() }) {
                    let count = try await client.stat().messageCount
                    try await client.quit()
                    return count
                }
            case .imap:
                let client = try await sessions.connectIMAP(settings, policy: policy)
                connected(.connected)
                try await sessions.signIn(client, settings, secret: secret, policy: policy)
                return try await Self.counting(close: { await client.close() }) {
                    let count = try await client.status(.inbox, items: [.messages]).messageCount ?? 0
                    try await client.logout()
                    return count
                }
            }
        } catch {
            return .signInFailed(LinkDiagnosis(error))
        }
    }

    /// `count`'s result as `signedIn`; the session is closed when it fails.
    private static func counting(
        close: () async -> Void, _ count: () async throws -> Int
    ) async throws -> LinkFlow.Event {
        do {
            return .signedIn(messages: try await count())
        } catch {
            await close()
            throw error
        }
    }

    private func save(
        address: EmailAddress, secret: Credentials.Secret, authorization: Authorization?, incoming: ServerSettings,
        incomingProtocol: IncomingProtocol,
        outgoing: ServerSettings?, options: LinkOptions, confirmation: ConfirmationSecret
    ) async -> LinkFlow.Event {
        let id = AccountID(address)
        let now = configuration.now()
        let record = ConfirmationRecord(secret: confirmation, issuedAt: now, lifetime: configuration.confirmationLifetime)
        do {
            let folders = try await configuration.store.folders()
            try await storeSecret(secret, authorization: authorization, for: id)
            let (account, alreadyConfirmed) = try await configuration.accounts.update { accounts in
                if let index = accounts.firstIndex(where: { $0.id == id }) {
                    // Re-linking keeps the folder and, once confirmed, the confirmation.
                    var account = accounts[index]
                    account.address = address
                    account.incoming = incoming
                    account.incomingProtocol = incomingProtocol
                    account.imap = options.imap
                    account.outgoing = outgoing ?? account.outgoing
                    account.connection = options.connection
                    account.marker = options.marker
                    account.rules = options.rules
                    account.apply(options.copies)
                    account.attention = nil  // the sign-in just succeeded: a new password or sign-in fixed it
                    let confirmed = account.status == .confirmed
                    if !confirmed {
                        account.status = .pending
                        account.confirmation = record
                    }
                    accounts[index] = account
                    return (account, confirmed)
                }
                let taken = folders + accounts.map(\.folder)
                let destination: RoutingDestination
                switch options.destination {
                case .newFolder: destination = .folder(Folder.named(afterAccount: id.rawValue, avoiding: taken))
                case .inbox: destination = .inbox
                case .folder(let folder): destination = .folder(folder)
                }
                var account = LinkedAccount(
                    address: address, incoming: incoming, outgoing: outgoing, connection: options.connection,
                    destination: destination, marker: options.marker, rules: options.rules, status: .pending,
                    confirmation: record, linkedAt: now, incomingProtocol: incomingProtocol,
                    imap: options.imap)
                account.apply(options.copies)
                account.minimumCheckInterval = SettingsDiscovery.bundledMinimumCheckInterval(for: address)
                accounts.append(account)
                return (account, false)
            }
            if alreadyConfirmed { await scheduler?.accountChanged(account) }
            return .saved(account, alreadyConfirmed: alreadyConfirmed)
        } catch {
            return .saveFailed(LinkDiagnosis(error))
        }
    }

    /// Sends the confirmation e-mail for a saved account; on failure the account is kept as
    /// "confirmation not sent".
    private func deliverConfirmation(to id: AccountID, secret: ConfirmationSecret) async -> LinkFlow.Event {
        do {
            guard let account = try await configuration.accounts.account(id) else {
                throw confirmationError("\(id) is not linked", "Link the account first.")
            }
            try await sendConfirmationMessage(to: account, secret: secret)
            return .confirmationSent
        } catch {
            let diagnosis = LinkDiagnosis(error)
            _ = try? await configuration.accounts.update { accounts in
                guard let index = accounts.firstIndex(where: { $0.id == id }), accounts[index].status != .confirmed
                else { return }
                accounts[index].status = .confirmationNotSent
                accounts[index].confirmation = nil
            }
            logger.warning("confirmation e-mail to \(id) not sent: \(diagnosis.summary)", metadata: ["account": id.rawValue])
            return .confirmationFailed(diagnosis)
        }
    }

    func sendConfirmationMessage(to account: LinkedAccount, secret: ConfirmationSecret) async throws {
        let message = ConfirmationMessage(
            text: configuration.confirmationText, primary: configuration.primaryAddress, address: account.address,
            link: secret.link(base: configuration.confirmationBaseURL), code: secret.displayCode,
            lifetime: configuration.confirmationLifetime
        ).message()
        let envelope = try SMTPEnvelope(
            from: configuration.primaryAddress.description, to: [account.address.description])
        _ = try await configuration.confirmationSender.send(envelope: envelope, message: try message.encoded())
        logger.info("confirmation e-mail sent to \(account.id)", metadata: ["account": account.id.rawValue])
    }

    /// A step as a log line: never the diagnosis's suggestion in full, never a secret.
    private static func logLine(_ step: LinkStep) -> String {
        switch step {
        case .needsManualSettings(let diagnosis): "failed: \(diagnosis.stage.rawValue): \(diagnosis.summary)"
        case .confirmationNotSent(let diagnosis): "confirmation not sent: \(diagnosis.summary)"
        case .awaitingConfirmation: "waiting for confirmation"
        case .updated: "settings updated"
        case .settingsNeedApproval: "settings need approval"
        default: step.description
        }
    }

    func confirmationError(_ summary: String, _ suggestion: String) -> LinkDiagnosisError {
        LinkDiagnosisError(LinkDiagnosis(stage: .confirmation, summary: summary, suggestion: suggestion))
    }
}

/// A ``LinkDiagnosis`` thrown as an error.
public struct LinkDiagnosisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The diagnosis.
    public var diagnosis: LinkDiagnosis
    /// Wraps `diagnosis`.
    public init(_ diagnosis: LinkDiagnosis) { self.diagnosis = diagnosis }
    /// The diagnosis's text.
    public var description: String { diagnosis.description }
}
