import AccountLinking
import FolderRouting
import MailAuth
import MailMessage
import MailOAuth
import MailTransport
import SMTPSender
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A linkmail home folder: the primary mailbox's settings, linked accounts, secrets (mode 0600),
/// the Maildir that linked mail lands in, and the sync records.
///
/// ```
/// DIR/config.json      primary address, its outgoing server, confirmation link base and lifetime, trust
/// DIR/accounts.json    linked accounts (FileAccountStore)
/// DIR/secrets.json     passwords and OAuth 2.0 grants (FileCredentialStore, mode 0600)
/// DIR/identities.json  the default From (FileIdentityStore)
/// DIR/oauth-clients.json  with `add --oauth`: the application's client id and secret (mode 0600)
/// DIR/state/           UIDL records (FileSyncStateStore)
/// DIR/Maildir/         where linked mail lands (MaildirStore, Maildir++ as Dovecot reads it)
/// DIR/delivered/       with `sync --deliver lmtp://…`: what was delivered to the mail server, per account
/// DIR/locks/           one lock file per account, so two processes never sync one account at once
/// ```
/// Another process has the home's Maildir open: one process at a time syncs into one Maildir.
struct HomeInUse: Error, CustomStringConvertible {
    var directory: String
    var description: String {
        "another linkmail process is using \(directory) (its Maildir is locked); nothing was synced, and that "
            + "process keeps syncing every account. Stop it first (SIGTERM), or wait for it to finish."
    }
}

/// A file of the home that could not be written, with the system's reason.
struct HomeFileUnwritable: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path) cannot be written: \(reason)" }
}

/// Where a linker's mail goes: the home's Maildir (one process at a time), or a mail server over
/// LMTP (any number of processes on one home).
enum Delivery {
    case maildir
    case lmtp(Endpoint, recipient: LMTPRecipientTemplate)
}

/// The store a linker delivers into, with how to close it.
struct OpenStore {
    let store: any MailStore
    let closing: @Sendable () async -> Void

    func close() async { await closing() }
}

struct Home {
    /// `config.json`: `{"format": "linkmail-home", "version": 1, …}`.
    struct Config: Codable {
        var format = "linkmail-home"
        var version = 1
        var primaryAddress: String
        var outgoing: ServerSettings
        var confirmationBaseURL: String
        var confirmationLifetimeSeconds: Int
        var connection: ConnectionPolicy
    }

    let directory: String
    var configPath: String { directory + "/config.json" }

    init(_ arguments: CommandLineArguments) throws {
        guard let directory = arguments.value("home") else { throw CommandLineArguments.UsageError("--home DIR is required") }
        self.directory = directory
    }

    func loadConfig() throws -> Config {
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw CommandLineArguments.UsageError("\(directory) is not a linkmail home; run 'linkmail init' first")
        }
        return try JSONDecoder().decode(Config.self, from: data)
    }

    func save(_ config: Config) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(config).write(to: URL(fileURLWithPath: configPath), options: .atomic)
    }

    /// The primary's password, in its own file beside the linked accounts' secrets.
    var primarySecretPath: String { directory + "/primary-secret.json" }

    func primarySecret(_ config: Config) async throws -> Credentials.Secret? {
        try await FileCredentialStore(path: primarySecretPath).secret(for: try AccountID(parsing: config.primaryAddress))
    }

    func setPrimarySecret(_ secret: Credentials.Secret, for primary: EmailAddress) async throws {
        try await FileCredentialStore(path: primarySecretPath).setSecret(secret, for: AccountID(primary))
    }

    /// `oauth-clients.json`: the OAuth client registrations `add --oauth` used, for refreshing
    /// tokens later (Google's token endpoint wants the client secret with each refresh).
    struct OAuthClients: Codable {
        struct Client: Codable {
            var clientID: String
            var clientSecret: String?
        }
        var format = "linkmail-oauth-clients"
        var version = 1
        var clients: [Client]
    }

    var oauthClientsPath: String { directory + "/oauth-clients.json" }

    /// The registrations kept by `add --oauth`.
    func registrations() throws -> [OAuthClientRegistration] {
        guard let data = FileManager.default.contents(atPath: oauthClientsPath) else { return [] }
        return try JSONDecoder().decode(OAuthClients.self, from: data).clients.map {
            OAuthClientRegistration(clientID: $0.clientID, clientSecret: $0.clientSecret)
        }
    }

    /// Keeps `registration` (replacing one with the same client id), readable by the owner only.
    func saveRegistration(_ registration: OAuthClientRegistration) throws {
        var clients = try registrations().filter { $0.clientID != registration.clientID }
        clients.append(registration)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(
            OAuthClients(clients: clients.map { .init(clientID: $0.clientID, clientSecret: $0.clientSecret) }))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let manager = FileManager.default
        if !manager.fileExists(atPath: oauthClientsPath) {
            _ = manager.createFile(atPath: oauthClientsPath, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        try manager.setAttributes([.posixPermissions: 0o600], ofItemAtPath: oauthClientsPath)
        let descriptor = open(oauthClientsPath, O_WRONLY | O_TRUNC | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw HomeFileUnwritable(path: oauthClientsPath, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        guard Output.write(Array(data), to: descriptor) else {
            throw HomeFileUnwritable(path: oauthClientsPath, reason: String(cString: strerror(errno)))
        }
    }

    /// A linker over this home, with the store opened; call `store.close()` when done.
    func makeLinker(
        discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)? = nil,
        delivery: Delivery = .maildir
    ) async throws -> (linker: AccountLinker, store: OpenStore) {
        let config = try loadConfig()
        guard let secret = try await primarySecret(config) else {
            throw CommandLineArguments.UsageError("the primary's password is missing; run 'linkmail init' again")
        }
        let primary: EmailAddress
        do { primary = try EmailAddress(config.primaryAddress) } catch {
            throw CommandLineArguments.UsageError("config.json: the primary address is not valid (\(error))")
        }
        let opener = SessionOpener(
            tlsPolicy: config.connection.tlsPolicy, timeouts: config.connection.timeouts(over: .all(.seconds(30))),
            allowsInsecureAuthentication: config.connection.allowsInsecureAuthentication)
        let store: OpenStore
        switch delivery {
        case .maildir:
            do {
                let maildir = try await MaildirStore.open(at: directory + "/Maildir")
                store = OpenStore(store: maildir, closing: { await maildir.close() })
            } catch let error as MailStoreError where error.code == .storeLocked {
                throw HomeInUse(directory: directory)
            }
        case .lmtp(let endpoint, let recipient):
            // The Maildir stays closed: every process on this home may deliver at once.
            let lmtp = try LMTPMailStore(
                configuration: .init(
                    endpoint: endpoint, recipient: recipient, recordDirectory: directory + "/delivered",
                    tlsPolicy: opener.tlsPolicy, timeouts: opener.timeouts))
            store = OpenStore(store: lmtp, closing: { await lmtp.close() })
        }
        var configuration = try AccountLinker.Configuration.files(
            directory: directory, primaryAddress: primary,
            confirmationSender: opener.smtpSender(config.outgoing, secret: secret),
            confirmationBaseURL: config.confirmationBaseURL, store: store.store)
        configuration.confirmationLifetime = .seconds(config.confirmationLifetimeSeconds)
        configuration.tlsPolicy = opener.tlsPolicy
        configuration.timeouts = opener.timeouts
        configuration.allowInsecureAuthentication = config.connection.allowsInsecureAuthentication
        configuration.discover = discover
        // OAuth grants refresh through the home's trust settings (an extra CA for the issuer).
        configuration.credentials = OAuthCredentialStore(
            grants: try FileCredentialStore(path: directory + "/secrets.json"), registrations: try registrations(),
            http: HTTPClient(tlsPolicy: opener.tlsPolicy))
        return (AccountLinker(configuration: configuration), store)
    }
}
