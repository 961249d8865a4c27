import AccountLinking
import AutoDiscovery
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import SMTPSender
import Synchronization

/// Records what it is asked to send; can be told to fail.
final class RecordingSender: MailSending, Sendable {
    private let state = Mutex<(sent: [(envelope: SMTPEnvelope, message: [UInt8])], failing: Bool)>(([], false))

    var sent: [(envelope: SMTPEnvelope, message: [UInt8])] { state.withLock { $0.sent } }
    var texts: [String] { sent.map { String(decoding: $0.message, as: UTF8.self) } }
    func fail(_ failing: Bool) { state.withLock { $0.failing = failing } }

    func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
        if state.withLock({ $0.failing }) {
            throw SMTPError(.serviceUnavailable, reply: SMTPReply(code: 421, lines: ["4.3.2 try again later"]))
        }
        state.withLock { $0.sent.append((envelope, message)) }
        return SMTPSendResult(recipients: [], finalReply: SMTPReply(code: 250, lines: ["OK"]))
    }
}

/// A clock a test moves by hand.
final class TestClock: Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLock { $0 } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A connector that counts connections, so a test can prove nothing was tried.
final class CountingConnector: MailConnector, Sendable {
    let inner: any MailConnector
    private let count = Mutex(0)
    init(_ inner: any MailConnector) { self.inner = inner }
    var connections: Int { count.withLock { $0 } }
    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        count.withLock { $0 += 1 }
        return try await inner.connect(to: endpoint, tls: tls, timeouts: timeouts)
    }
}

/// A linker over in-memory fakes: a POP3 server holding `linked@example.net` (password
/// `app-password`), a recording sender as the primary's outgoing server, a test clock.
struct LinkerFixture {
    static let linked = "linked@example.net"
    static let password = "app-password"
    let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: [linked: password]))
    let sender = RecordingSender()
    let clock = TestClock()
    let store = InMemoryMailStore()
    let accounts = InMemoryAccountStore()
    let connector: CountingConnector
    let configuration: AccountLinker.Configuration

    init(
        discover: (@Sendable (EmailAddress) async throws -> DiscoveredAccountSettings)? = nil,
        hints: ProviderHints = .none, sendAsFallback: SendAsFallback = .refuse, logger: MailLogger = .none,
        connector: (any MailConnector)? = nil, lifetime: Duration = .seconds(48 * 3600)
    ) throws {
        self.connector = CountingConnector(connector ?? server.connector)
        var configuration = AccountLinker.Configuration.inMemory(
            primaryAddress: try EmailAddress("me@primary.example"), confirmationSender: sender,
            confirmationBaseURL: "https://mail.primary.example/confirm", store: store)
        configuration.accounts = accounts
        configuration.connector = self.connector
        configuration.discover = discover
        configuration.providerHints = { _ in hints }
        configuration.sendAsFallback = sendAsFallback
        configuration.logger = logger
        configuration.confirmationLifetime = lifetime
        let clock = self.clock
        configuration.now = { clock.now }
        self.configuration = configuration
    }

    var incoming: ServerSettings {
        ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: Self.linked)
    }

    func makeLinker() -> AccountLinker { AccountLinker(configuration: configuration) }

    /// Runs a link flow to its end.
    func link(
        _ linker: AccountLinker, address: String = "Linked@example.net", secret: Credentials.Secret = .password(password),
        options: AccountLinker.LinkOptions? = nil
    ) async -> [LinkStep] {
        var steps: [LinkStep] = []
        for await step in await linker.link(address: address, secret: secret, options: options ?? .init(incoming: incoming)) {
            steps.append(step)
        }
        return steps
    }

    /// The link and the code of the newest confirmation e-mail.
    func lastConfirmation() throws -> (link: String, code: String) {
        guard let text = sender.texts.last else { throw FixtureError("no confirmation was sent") }
        let decoded = text.replacingOccurrences(of: "=\r\n", with: "")
        guard let link = decoded.split(whereSeparator: \.isWhitespace).first(where: {
            $0.hasPrefix("https://mail.primary.example/confirm?token=")
        }) else { throw FixtureError("no link in \(text)") }
        let lines = decoded.components(separatedBy: "\r\n")
        guard let code = lines.first(where: { $0.hasPrefix("    ") && $0.count == 13 })?.trimmingCharacters(in: .whitespaces)
        else { throw FixtureError("no code in \(text)") }
        return (String(link), code)
    }

    /// The messages of the account's folder.
    func stored(in folder: Folder) async throws -> [StoredMessage] {
        try await store.messages(in: folder)
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
