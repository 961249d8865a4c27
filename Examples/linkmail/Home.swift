import AccountLinking
import FolderRouting
import Foundation
import MailTransport
import SMTPSender

/// A linkmail home folder: the primary mailbox's settings, linked accounts, secrets (mode 0600),
/// the Maildir that linked mail lands in, and the sync records.
///
/// ```
/// DIR/config.json     primary address, its outgoing server, confirmation link base, trust
/// DIR/accounts.json   linked accounts (FileAccountStore)
/// DIR/secrets.json    passwords (FileCredentialStore, mode 0600)
/// DIR/Maildir/        where linked mail lands (MaildirStore, Maildir++ as Dovecot reads it)
/// DIR/state/          UIDL records and the default identity
/// ```
struct Home {
    struct Config: Codable {
        var primaryAddress: String
        var outgoing: ServerSettings
        var confirmationBaseURL: String
        var caFiles: [String]
        var pins: [String]
        var allowInsecureAuthentication: Bool
        var timeoutSeconds: Int
    }

    static let primarySecretKey = "primary (outgoing)"

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
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(config).write(to: URL(fileURLWithPath: configPath), options: .atomic)
    }

    var credentials: FileCredentialStore { FileCredentialStore(path: directory + "/secrets.json") }
    var accounts: FileAccountStore { FileAccountStore(path: directory + "/accounts.json") }

    static func tlsPolicy(_ config: Config) -> TLSPolicy {
        TLSPolicy(
            additionalTrustedCAFiles: config.caFiles,
            pinnedFingerprints: Set(config.pins.compactMap(CertificateFingerprint.init)))
    }

    /// A linker over this home, with the store opened; call `store.close()` when done.
    func makeLinker(
        discover: (@Sendable (String) async throws -> DiscoveredAccountSettings)? = nil
    ) async throws -> (linker: AccountLinker, store: MaildirStore) {
        let config = try loadConfig()
        let store = try await MaildirStore.open(at: directory + "/Maildir")
        guard let secret = try await credentials.secret(for: Self.primarySecretKey) else {
            throw CommandLineArguments.UsageError("the primary's password is missing; run 'linkmail init' again")
        }
        let timeouts = Timeouts.all(.seconds(config.timeoutSeconds))
        let sender = SMTPMailSender(
            settings: config.outgoing, secret: secret, tlsPolicy: Self.tlsPolicy(config), timeouts: timeouts,
            allowInsecureAuthentication: config.allowInsecureAuthentication)
        let linker = AccountLinker(configuration: .init(
            primaryAddress: config.primaryAddress, confirmationSender: sender,
            confirmationBaseURL: config.confirmationBaseURL, accounts: accounts, credentials: credentials, store: store,
            stateDirectory: directory + "/state", tlsPolicy: Self.tlsPolicy(config), timeouts: timeouts,
            allowInsecureAuthentication: config.allowInsecureAuthentication, discover: discover))
        return (linker, store)
    }
}
