import FolderRouting
import Foundation
import MailMessage
import MailTransport
import POP3Protocol
import SMTPSender

/// The Hotmail "Add an e-mail account" flow: link an address, test the connection with visible
/// progress, send a confirmation e-mail, and once its link is followed, sync the account's mail
/// into its folder by itself; afterwards, send as any linked address.
///
/// ```swift
/// let linker = AccountLinker(configuration: configuration)
/// for await step in await linker.link(address: "someone@example.com", secret: "app-password", options: options) {
///     print(step)   // connecting, authenticating, connected, confirmation sent, awaiting confirmation
/// }
/// try await linker.confirm("https://…/confirm?token=…")   // syncing starts by itself
/// try await linker.send(message, from: "someone@example.com")
/// ```
public actor AccountLinker {
    /// Everything the linker works with.
    public struct Configuration: Sendable {
        /// The primary mailbox's address: confirmations come from it.
        public var primaryAddress: String
        /// How confirmation e-mails are sent (the primary's outgoing server).
        public var confirmationSender: any MailSending
        /// The base of confirmation links; the token is added as `?token=…`.
        public var confirmationBaseURL: String
        /// Where linked accounts are kept.
        public var accounts: any AccountStore
        /// Where their secrets are kept.
        public var credentials: any CredentialStore
        /// Where synced mail lands.
        public var store: any MailStore
        /// Folder for the UIDL records and identity settings.
        public var stateDirectory: String
        /// How POP3 and SMTP connections are opened.
        public var connector: any MailConnector
        /// How servers are trusted.
        public var tlsPolicy: TLSPolicy
        /// Time limits for every connection.
        public var timeouts: Timeouts
        /// Allows passwords over unencrypted connections (tests on loopback only).
        public var allowInsecureAuthentication: Bool
        /// Finds settings for an address when none are given (``SettingsDiscovery`` wraps
        /// AutoDiscovery); nil means manual settings only. It throws a ``LinkDiagnosisError`` that
        /// says why nothing fits (for example "this provider offers no POP3").
        public var discover: (@Sendable (String) async throws -> DiscoveredAccountSettings)?

        public init(
            primaryAddress: String, confirmationSender: any MailSending, confirmationBaseURL: String,
            accounts: any AccountStore, credentials: any CredentialStore, store: any MailStore, stateDirectory: String,
            connector: any MailConnector = SocketConnector(), tlsPolicy: TLSPolicy = .default,
            timeouts: Timeouts = .default, allowInsecureAuthentication: Bool = false,
            discover: (@Sendable (String) async throws -> DiscoveredAccountSettings)? = nil
        ) {
            self.primaryAddress = primaryAddress
            self.confirmationSender = confirmationSender
            self.confirmationBaseURL = confirmationBaseURL
            self.accounts = accounts
            self.credentials = credentials
            self.store = store
            self.stateDirectory = stateDirectory
            self.connector = connector
            self.tlsPolicy = tlsPolicy
            self.timeouts = timeouts
            self.allowInsecureAuthentication = allowInsecureAuthentication
            self.discover = discover
        }
    }

    /// Where a linked account's mail goes.
    public enum Destination: Sendable, Hashable {
        /// A new folder named after the account (the default, as Hotmail did).
        case newFolder
        /// The Inbox.
        case inbox
        /// A folder the user picked.
        case folder(Folder)
    }

    /// The user's choices when linking.
    public struct LinkOptions: Sendable {
        /// Manual POP3 settings; nil asks ``Configuration/discover``.
        public var incoming: ServerSettings?
        /// The address's own outgoing server, for sending as it.
        public var outgoing: ServerSettings?
        public var destination: Destination
        public var marker: MarkerColor
        public var keepCopiesOnServer: Bool
        public var deleteAfterDays: Int?

        public init(
            incoming: ServerSettings? = nil, outgoing: ServerSettings? = nil, destination: Destination = .newFolder,
            marker: MarkerColor = .blue, keepCopiesOnServer: Bool = true, deleteAfterDays: Int? = nil
        ) {
            self.incoming = incoming
            self.outgoing = outgoing
            self.destination = destination
            self.marker = marker
            self.keepCopiesOnServer = keepCopiesOnServer
            self.deleteAfterDays = deleteAfterDays
        }
    }

    /// Progress of ``link(address:secret:options:)``, for a person to watch.
    public enum LinkStep: Sendable, Equatable, CustomStringConvertible {
        case discovering
        case found(ServerSettings)
        case connecting(String)
        case authenticating
        /// Logged in; the mailbox holds this many messages.
        case connected(messages: Int)
        case confirmationSent(to: String)
        case awaitingConfirmation
        /// Something failed; the diagnosis says what and what to try (often: enter settings by hand).
        case needsManualSettings(LinkDiagnosis)

        public var description: String {
            switch self {
            case .discovering: "looking up the server settings"
            case .found(let settings): "found \(settings)"
            case .connecting(let host): "connecting to \(host)"
            case .authenticating: "signing in"
            case .connected(let count): "connected: \(count) messages on the server"
            case .confirmationSent(let address): "confirmation sent to \(address)"
            case .awaitingConfirmation: "waiting for the confirmation link to be followed"
            case .needsManualSettings(let diagnosis): "could not link:\n\(diagnosis)"
            }
        }
    }

    /// A From address the user may send as.
    public struct Identity: Sendable, Hashable {
        public var address: String
        public var isDefault: Bool
        /// Whether mail from it goes through its own outgoing server (else the primary's).
        public var hasOwnOutgoingServer: Bool
    }

    public let configuration: Configuration
    private var pendingSyncs: [Task<Void, Never>] = []
    /// The outcome of the last sync of each account.
    public private(set) var lastSync: [String: Result<MailboxSync.Report, LinkDiagnosisError>] = [:]

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    // MARK: - Linking

    /// Links `address`: settings (given or discovered), a real login to test them, then the
    /// confirmation e-mail. The stream ends after `.awaitingConfirmation` or `.needsManualSettings`.
    public func link(address: String, secret: String, options: LinkOptions) -> AsyncStream<LinkStep> {
        AsyncStream { continuation in
            let task = Task {
                await self.performLink(address: address, secret: secret, options: options) { continuation.yield($0) }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func performLink(address: String, secret: String, options: LinkOptions, emit: (LinkStep) -> Void) async {
        do {
            let mailbox = try EmailAddress(address)
            var incoming = options.incoming
            var outgoing = options.outgoing
            if incoming == nil, let discover = configuration.discover {
                emit(.discovering)
                let found = try await discover(address)
                incoming = found.incoming
                outgoing = outgoing ?? found.outgoing
                emit(.found(found.incoming))
            }
            guard let incoming else {
                emit(.needsManualSettings(LinkDiagnosis(
                    stage: .other, summary: "no server settings were found for \(address)",
                    suggestion: "Enter the POP3 server, port and security by hand.")))
                return
            }
            emit(.connecting(incoming.endpoint.description))
            let client = try await POP3Client.connect(
                to: incoming.endpoint, tls: configuration.tlsPolicy, timeouts: configuration.timeouts,
                connector: configuration.connector)
            emit(.authenticating)
            let count: Int
            do {
                try await client.authenticate(
                    username: incoming.user, password: secret,
                    allowInsecureAuthentication: configuration.allowInsecureAuthentication)
                count = try await client.stat().messageCount
                try await client.quit()
            } catch {
                await client.close()
                throw error
            }
            emit(.connected(messages: count))

            var accounts = try await configuration.accounts.loadAccounts()
            let id = address.lowercased()
            let existingFolders = Set(try await configuration.store.folders())
                .union(accounts.filter { $0.id != id }.map(\.route.resolvedFolder))
            let route: AccountRoute
            switch options.destination {
            case .newFolder: route = .newFolder(for: id, avoiding: existingFolders, marker: options.marker)
            case .inbox: route = AccountRoute(account: id, destination: .inbox, marker: options.marker)
            case .folder(let folder): route = AccountRoute(account: id, destination: .folder(folder), marker: options.marker)
            }
            let token = ConfirmationToken()
            let account = LinkedAccount(
                address: address, incoming: incoming, outgoing: outgoing, route: route,
                keepCopiesOnServer: options.keepCopiesOnServer, deleteAfterDays: options.deleteAfterDays,
                status: .awaitingConfirmation, confirmationTokenDigest: token.digest)
            try await configuration.credentials.setSecret(secret, for: id)
            accounts.removeAll { $0.id == id }
            accounts.append(account)
            try await configuration.accounts.saveAccounts(accounts)

            try await sendConfirmation(to: mailbox, token: token)
            emit(.confirmationSent(to: address))
            emit(.awaitingConfirmation)
        } catch {
            emit(.needsManualSettings(LinkDiagnosis(error)))
        }
    }

    private func sendConfirmation(to address: EmailAddress, token: ConfirmationToken) async throws {
        let link = token.link(base: configuration.confirmationBaseURL)
        var message = OutgoingMessage(from: try Mailbox(configuration.primaryAddress))
        message.to = [Mailbox(address: address)]
        message.subject = "Confirm that you own \(address)"
        message.textBody = """
            Someone (probably you) asked to link \(address) to \(configuration.primaryAddress), \
            so that its mail is collected there and mail can be sent as \(address).

            To confirm, follow this link:

            \(link)

            or enter this code: \(token.value)

            If you did not ask for this, ignore this message: nothing is collected until the link is followed.
            """
        let envelope = try SMTPEnvelope(from: configuration.primaryAddress, to: [address.description])
        _ = try await configuration.confirmationSender.send(envelope: envelope, message: try message.encoded())
    }

    /// Confirms ownership from a followed link (or its code) and starts syncing that account.
    /// - Returns: the confirmed account.
    @discardableResult
    public func confirm(_ linkOrCode: String) async throws -> LinkedAccount {
        guard let token = ConfirmationToken(linkOrCode: linkOrCode) else {
            throw LinkDiagnosisError(LinkDiagnosis(
                stage: .other, summary: "that is not a confirmation link or code",
                suggestion: "Copy the whole link from the confirmation e-mail."))
        }
        var accounts = try await configuration.accounts.loadAccounts()
        guard let index = accounts.firstIndex(where: { account in
            account.confirmationTokenDigest.map { token.matches(digest: $0) } ?? false
        }) else {
            throw LinkDiagnosisError(LinkDiagnosis(
                stage: .other, summary: "no account is waiting for this confirmation",
                suggestion: "The link may be old or already used; link the account again to get a new one."))
        }
        accounts[index].status = .confirmed
        accounts[index].confirmationTokenDigest = nil
        try await configuration.accounts.saveAccounts(accounts)
        let account = accounts[index]
        pendingSyncs.append(Task { _ = await self.sync(account) })
        return account
    }

    /// Waits until the syncs started by ``confirm(_:)`` have finished.
    public func waitForPendingSyncs() async {
        let tasks = pendingSyncs
        pendingSyncs = []
        for task in tasks { await task.value }
    }

    // MARK: - Syncing

    /// One sync pass of every confirmed account; failures are kept per account, not thrown.
    @discardableResult
    public func syncAll() async throws -> [String: Result<MailboxSync.Report, LinkDiagnosisError>] {
        var results: [String: Result<MailboxSync.Report, LinkDiagnosisError>] = [:]
        for account in try await configuration.accounts.loadAccounts() where account.status == .confirmed {
            results[account.id] = await sync(account)
        }
        return results
    }

    /// One sync pass of one account.
    public func sync(_ account: LinkedAccount) async -> Result<MailboxSync.Report, LinkDiagnosisError> {
        let result: Result<MailboxSync.Report, LinkDiagnosisError>
        do {
            guard let secret = try await configuration.credentials.secret(for: account.id) else {
                throw LinkDiagnosisError(LinkDiagnosis(
                    stage: .authentication, summary: "no password is stored for \(account.address)",
                    suggestion: "Link the account again with its password."))
            }
            let client = try await POP3Client.connect(
                to: account.incoming.endpoint, tls: configuration.tlsPolicy, timeouts: configuration.timeouts,
                connector: configuration.connector)
            do {
                try await client.authenticate(
                    username: account.incoming.user, password: secret,
                    allowInsecureAuthentication: configuration.allowInsecureAuthentication)
                let sync = MailboxSync(
                    options: .init(
                        account: account.id,
                        destination: RoutingDecision(folder: account.route.resolvedFolder, marker: account.route.marker),
                        keepCopiesOnServer: account.keepCopiesOnServer, deleteAfterDays: account.deleteAfterDays),
                    store: configuration.store,
                    statePath: configuration.stateDirectory + "/uidl-" + Self.fileSafe(account.id) + ".json")
                result = .success(try await sync.run(POP3Mailbox(client: client)))
            } catch {
                await client.close()
                throw error
            }
        } catch let error as LinkDiagnosisError {
            result = .failure(error)
        } catch {
            result = .failure(LinkDiagnosisError(LinkDiagnosis(error)))
        }
        lastSync[account.id] = result
        return result
    }

    // MARK: - Sending as

    /// The addresses the user may send as: the primary and every confirmed account.
    public func identities() async throws -> [Identity] {
        let accounts = try await configuration.accounts.loadAccounts().filter { $0.status == .confirmed }
        let chosen = try await defaultIdentityAddress()
        var result = [Identity(address: configuration.primaryAddress, isDefault: false, hasOwnOutgoingServer: true)]
        result += accounts.map { Identity(address: $0.address, isDefault: false, hasOwnOutgoingServer: $0.outgoing != nil) }
        let defaultIndex = result.firstIndex { $0.address.lowercased() == chosen?.lowercased() } ?? 0
        result[defaultIndex].isDefault = true
        return result
    }

    /// Chooses the default From address (one of ``identities()``).
    public func setDefaultIdentity(_ address: String) async throws {
        guard try await identities().contains(where: { $0.address.lowercased() == address.lowercased() }) else {
            throw LinkDiagnosisError(LinkDiagnosis(
                stage: .sending, summary: "\(address) is not a confirmed address of this mailbox",
                suggestion: "Link and confirm the address first."))
        }
        try await DurableFile.replace(at: identityPath, with: Array(address.utf8))
    }

    private var identityPath: String { configuration.stateDirectory + "/default-identity" }

    private func defaultIdentityAddress() async throws -> String? {
        try await DurableFile.read(at: identityPath).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sends `message` as `address` (nil: the default identity), through that address's own
    /// outgoing server when it has one, else through the primary's.
    @discardableResult
    public func send(_ message: OutgoingMessage, from address: String? = nil) async throws -> SMTPSendResult {
        let identities = try await identities()
        let chosen = address ?? identities.first(where: \.isDefault)?.address ?? configuration.primaryAddress
        guard identities.contains(where: { $0.address.lowercased() == chosen.lowercased() }) else {
            throw LinkDiagnosisError(LinkDiagnosis(
                stage: .sending, summary: "\(chosen) is not a confirmed address of this mailbox",
                suggestion: "Link and confirm the address before sending as it."))
        }
        var message = message
        message.from = try Mailbox(chosen)
        let envelope = try SMTPEnvelope(from: chosen, to: message.recipients.map(\.description))
        let bytes = try message.encoded()
        let account = try await configuration.accounts.loadAccounts().first { $0.id == chosen.lowercased() }
        if let account, let outgoing = account.outgoing, let secret = try await configuration.credentials.secret(for: account.id) {
            let submitter = SMTPMailSender(
                settings: outgoing, secret: secret, tlsPolicy: configuration.tlsPolicy, timeouts: configuration.timeouts,
                connector: configuration.connector, allowInsecureAuthentication: configuration.allowInsecureAuthentication)
            return try await submitter.send(envelope: envelope, message: bytes)
        }
        return try await configuration.confirmationSender.send(envelope: envelope, message: bytes)
    }

    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || "@._-".contains($0) ? $0 : "_" })
    }
}

/// A ``LinkDiagnosis`` thrown as an error.
public struct LinkDiagnosisError: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnosis: LinkDiagnosis
    public init(_ diagnosis: LinkDiagnosis) { self.diagnosis = diagnosis }
    public var description: String { diagnosis.description }
}
