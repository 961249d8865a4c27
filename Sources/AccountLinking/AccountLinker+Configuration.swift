import AutoDiscovery
import FolderRouting
import MailMessage
import MailTransport
import SMTPSender
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AccountLinker {
    /// Everything the linker works with: the primary mailbox, where state lives, how servers are
    /// reached. Every store is a seam: files (``files(directory:primaryAddress:confirmationSender:confirmationBaseURL:store:)``),
    /// memory (``inMemory(primaryAddress:confirmationSender:confirmationBaseURL:store:)``), or the host's own database.
    public struct Configuration: Sendable {
        /// The primary mailbox's address: confirmations come from it, and it is always an identity.
        public var primaryAddress: EmailAddress
        /// How confirmation e-mails (and mail sent as the primary) are sent: the primary's outgoing server.
        public var confirmationSender: any MailSending
        /// The base of confirmation links; the token is added as `?token=…`.
        public var confirmationBaseURL: String
        /// How long a confirmation link and code stay valid (48 hours unless set).
        public var confirmationLifetime: Duration
        /// The words of the confirmation e-mail.
        public var confirmationText: ConfirmationText
        /// Where linked accounts are kept.
        public var accounts: any AccountStore
        /// Where their secrets are kept.
        public var credentials: any CredentialStore
        /// Where each account's sync record (delivered unique-ids) is kept.
        public var syncState: any SyncStateStore
        /// Where each account's check history is kept (``AccountLinker/history(of:)``); in memory
        /// unless given, in files with
        /// ``files(directory:primaryAddress:confirmationSender:confirmationBaseURL:store:)``.
        public var history: any SyncHistoryStore
        /// Where the default From is kept.
        public var identities: any IdentityStore
        /// Where synced mail lands.
        public var store: any MailStore
        /// Keeps other processes from syncing an account while this one does (none by default;
        /// ``files(directory:primaryAddress:confirmationSender:confirmationBaseURL:store:)`` uses
        /// lock files, ``FileAccountLocks``).
        public var locks: any AccountLocks
        /// How POP3 and SMTP connections are opened.
        public var connector: any MailConnector
        /// How servers are trusted (each account's ``ConnectionPolicy`` adds to it).
        public var tlsPolicy: TLSPolicy
        /// Time limits for every connection.
        public var timeouts: Timeouts
        /// Allows passwords over unencrypted connections for every account (tests on loopback only).
        public var allowInsecureAuthentication: Bool
        /// Finds settings for an address when none are given (``SettingsDiscovery/using(_:offering:)`` wraps
        /// AutoDiscovery); nil means manual settings only. It throws a ``LinkDiagnosisError`` that
        /// says why nothing fits (for example "this provider offers no POP3").
        public var discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)?
        /// What is known about an address's provider before anything is sent (the bundled table
        /// by default): OAuth only, app password needed, POP unavailable.
        public var providerHints: @Sendable (EmailAddress) -> ProviderHints
        /// What to do when sending as an address without its own outgoing server.
        public var sendAsFallback: SendAsFallback
        /// Where the library's log lines go (nowhere by default). No line carries a secret.
        public var logger: MailLogger
        /// The current time; a test may fix it.
        public var now: @Sendable () -> Date

        /// A configuration; every store must be given, the rest has defaults.
        public init(
            primaryAddress: EmailAddress, confirmationSender: any MailSending, confirmationBaseURL: String,
            accounts: any AccountStore, credentials: any CredentialStore, syncState: any SyncStateStore,
            identities: any IdentityStore, store: any MailStore, locks: any AccountLocks = NoAccountLocks(),
            history: any SyncHistoryStore = InMemorySyncHistoryStore(),
            connector: any MailConnector = SocketConnector(),
            tlsPolicy: TLSPolicy = .default, timeouts: Timeouts = .default, allowInsecureAuthentication: Bool = false,
            confirmationLifetime: Duration = ConfirmationRecord.defaultLifetime,
            confirmationText: ConfirmationText = ConfirmationText(),
            discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)? = nil,
            providerHints: @escaping @Sendable (EmailAddress) -> ProviderHints = SettingsDiscovery.bundledHints,
            sendAsFallback: SendAsFallback = .refuse, logger: MailLogger = .none,
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            self.primaryAddress = primaryAddress
            self.confirmationSender = confirmationSender
            self.confirmationBaseURL = confirmationBaseURL
            self.confirmationLifetime = confirmationLifetime
            self.confirmationText = confirmationText
            self.accounts = accounts
            self.credentials = credentials
            self.syncState = syncState
            self.history = history
            self.identities = identities
            self.store = store
            self.locks = locks
            self.connector = connector
            self.tlsPolicy = tlsPolicy
            self.timeouts = timeouts
            self.allowInsecureAuthentication = allowInsecureAuthentication
            self.discover = discover
            self.providerHints = providerHints
            self.sendAsFallback = sendAsFallback
            self.logger = logger
            self.now = now
        }

        /// Everything in memory: no folder at all. Mail goes to `store` (in memory unless given).
        /// Secrets: an ``OAuthCredentialStore`` over an ``InMemoryCredentialStore``.
        public static func inMemory(
            primaryAddress: EmailAddress, confirmationSender: any MailSending, confirmationBaseURL: String,
            store: any MailStore = InMemoryMailStore()
        ) -> Configuration {
            Configuration(
                primaryAddress: primaryAddress, confirmationSender: confirmationSender,
                confirmationBaseURL: confirmationBaseURL, accounts: InMemoryAccountStore(),
                credentials: OAuthCredentialStore(grants: InMemoryCredentialStore()), syncState: InMemorySyncStateStore(),
                identities: InMemoryIdentityStore(), store: store)
        }

        /// State in files under `directory` (created when missing): `accounts.json`,
        /// `secrets.json` (mode 0600; passwords and OAuth grants, through an ``OAuthCredentialStore``
        /// that refreshes their tokens), `identities.json`, `state/uidl-<account>.json`,
        /// `state/history-<account>.json` (``FileSyncHistoryStore``) and `locks/<account>.lock`
        /// (so two processes on this folder never sync one account at once).
        /// - Throws: ``StateFileError`` when the folder cannot be created or written.
        public static func files(
            directory: String, primaryAddress: EmailAddress, confirmationSender: any MailSending,
            confirmationBaseURL: String, store: any MailStore
        ) throws -> Configuration {
            try StateFolder.prepare(directory)
            return Configuration(
                primaryAddress: primaryAddress, confirmationSender: confirmationSender,
                confirmationBaseURL: confirmationBaseURL,
                accounts: try FileAccountStore(path: directory + "/accounts.json"),
                credentials: OAuthCredentialStore(grants: try FileCredentialStore(path: directory + "/secrets.json")),
                syncState: try FileSyncStateStore(directory: directory + "/state"),
                identities: try FileIdentityStore(path: directory + "/identities.json"), store: store,
                locks: try FileAccountLocks(directory: directory + "/locks"),
                history: try FileSyncHistoryStore(directory: directory + "/state"))
        }

        /// The session opener over these settings.
        var sessions: SessionOpener {
            SessionOpener(
                connector: connector, tlsPolicy: tlsPolicy, timeouts: timeouts,
                allowsInsecureAuthentication: allowInsecureAuthentication, logger: logger)
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

    /// Keep copies on the server, or delete them.
    public enum CopiesOnServer: Sendable, Hashable {
        /// "Leave a copy on the server" (the default).
        case keep
        /// Delete each message from the server once it is safely stored here.
        case delete
        /// Keep copies for this many days after a sync first saw them, then delete them.
        case deleteAfter(days: Int)
    }

    /// The user's choices when linking.
    public struct LinkOptions: Sendable {
        /// Manual POP3 settings; nil asks ``Configuration/discover``.
        public var incoming: ServerSettings?
        /// The address's own outgoing server, for sending as it; nil takes the discovered one.
        public var outgoing: ServerSettings?
        /// How this account's servers are trusted (extra CA, pinned certificate, timeout).
        public var connection: ConnectionPolicy
        /// Where its mail goes.
        public var destination: Destination
        /// The marker its messages carry.
        public var marker: MarkerColor
        /// Keep copies on the server or not.
        public var copies: CopiesOnServer
        /// Rules for this account's mail, tried before ``destination``.
        public var rules: [RoutingRule]
        /// Use discovered settings even when they need the user's approval (the user saw them).
        public var acceptDiscoveredSettings: Bool
        /// Asked during the flow when discovered settings need approval; nil ends the flow with
        /// ``LinkStep/settingsNeedApproval(_:)`` instead (unless ``acceptDiscoveredSettings``).
        public var approve: (@Sendable (DiscoveredAccountSettings) async -> Bool)?
        /// The incoming protocol: of ``incoming`` (nil is POP3 there), or the one to discover (nil
        /// takes IMAP when the provider offers it, else POP3).
        public var incomingProtocol: IncomingProtocol?
        /// For IMAP: the mailboxes read and whether their folders are kept.
        public var imap = IMAPSourceOptions()

        /// Options; by default a new folder, a blue marker, copies kept.
        public init(
            incoming: ServerSettings? = nil, outgoing: ServerSettings? = nil, connection: ConnectionPolicy = .default,
            destination: Destination = .newFolder, marker: MarkerColor = .blue, copies: CopiesOnServer = .keep,
            rules: [RoutingRule] = [], acceptDiscoveredSettings: Bool = false,
            approve: (@Sendable (DiscoveredAccountSettings) async -> Bool)? = nil
        ) {
            self.incoming = incoming
            self.outgoing = outgoing
            self.connection = connection
            self.destination = destination
            self.marker = marker
            self.copies = copies
            self.rules = rules
            self.acceptDiscoveredSettings = acceptDiscoveredSettings
            self.approve = approve
        }
    }

    /// A change to a linked account's settings; nil fields stay as they are.
    public struct AccountChange: Sendable {
        /// New destination for its mail (mail already imported stays where it is).
        public var destination: Destination?
        /// New marker (for mail synced from now on).
        public var marker: MarkerColor?
        /// Keep copies on the server or not.
        public var copies: CopiesOnServer?
        /// New rules.
        public var rules: [RoutingRule]?
        /// New incoming server settings.
        public var incoming: ServerSettings?
        /// New outgoing server settings.
        public var outgoing: ServerSettings?
        /// New trust and timeout settings.
        public var connection: ConnectionPolicy?
        /// New incoming protocol. Without ``incoming`` the new protocol's server is discovered
        /// (``Configuration/discover``), and used only when it needs no confirmation. The sync
        /// record of the old protocol is never read as the new one's: mail already imported is
        /// recognised by its content and not imported again.
        public var incomingProtocol: IncomingProtocol?
        /// For an IMAP account: new mailboxes to read and whether their folders are kept.
        public var imap: IMAPSourceOptions?

        /// A change of the given fields.
        public init(
            destination: Destination? = nil, marker: MarkerColor? = nil, copies: CopiesOnServer? = nil,
            rules: [RoutingRule]? = nil, incoming: ServerSettings? = nil, outgoing: ServerSettings? = nil,
            connection: ConnectionPolicy? = nil, incomingProtocol: IncomingProtocol? = nil,
            imap: IMAPSourceOptions? = nil
        ) {
            self.incomingProtocol = incomingProtocol
            self.imap = imap
            self.destination = destination
            self.marker = marker
            self.copies = copies
            self.rules = rules
            self.incoming = incoming
            self.outgoing = outgoing
            self.connection = connection
        }
    }
}

extension LinkedAccount {
    /// Copies on the server, as one value.
    public var copies: AccountLinker.CopiesOnServer {
        guard keepCopiesOnServer else { return .delete }
        return deleteAfterDays.map { .deleteAfter(days: $0) } ?? .keep
    }

    mutating func apply(_ copies: AccountLinker.CopiesOnServer) {
        switch copies {
        case .keep: (keepCopiesOnServer, deleteAfterDays) = (true, nil)
        case .delete: (keepCopiesOnServer, deleteAfterDays) = (false, nil)
        case .deleteAfter(let days): (keepCopiesOnServer, deleteAfterDays) = (true, max(1, days))
        }
    }
}
