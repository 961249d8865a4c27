import AccountLinking
import AutoDiscovery
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Testing

/// Linking with discovered settings and the incoming protocol: automatic (IMAP when offered,
/// else POP3) or the user's choice. Discovery is the bundled table only (offline); every
/// connection goes to an in-memory fake, whatever host the table names.
@Suite("Linking chooses the incoming protocol from discovered settings")
struct IMAPDiscoveryLinkingTests {
    static func offlineDiscovery() throws -> @Sendable (EmailAddress) async throws -> DiscoveredAccountSettings {
        SettingsDiscovery.using(AutoDiscoverer(configuration: try DiscoveryConfiguration(offline: true)))
    }

    static func link(
        _ address: String, password: String, connector: any MailConnector, choice: IncomingProtocol? = nil
    ) async throws -> (LinkerFixture, [LinkStep]) {
        let fixture = try LinkerFixture(
            discover: try offlineDiscovery(), hints: SettingsDiscovery.bundledHints(for: try EmailAddress(address)),
            connector: connector)
        var options = AccountLinker.LinkOptions()
        options.incomingProtocol = choice
        var steps: [LinkStep] = []
        for await step in await fixture.makeLinker().link(
            address: address, secret: .password(password), options: options)
        {
            steps.append(step)
        }
        return (fixture, steps)
    }

    @Test("iCloud (IMAP only) is linkable: the bundled table's IMAP server is used and the account stored as IMAP")
    func iCloudLinkable() async throws {
        let server = FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["someone": "app-specific"]))
        let (fixture, steps) = try await Self.link(
            "someone@icloud.com", password: "app-specific", connector: server.connector)
        #expect(steps.contains { if case .awaitingConfirmation = $0 { true } else { false } }, "\(steps)")
        let account = try #require(await fixture.accounts.accounts().first)
        #expect(account.incomingProtocol == .imap)
        #expect(account.incoming.host == "imap.mail.me.com" && account.incoming.port == 993)
        #expect(
            server.receivedCommands.contains {
                $0.uppercased().contains("AUTHENTICATE") || $0.uppercased().contains("LOGIN")
            })
    }

    @Test("iCloud with POP3 chosen stops with the provider's diagnosis, before any connection")
    func iCloudPOP3Chosen() async throws {
        let server = FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["someone": "x"]))
        let (fixture, steps) = try await Self.link(
            "someone@icloud.com", password: "x", connector: server.connector, choice: .pop3)
        let diagnosis = steps.compactMap { if case .needsManualSettings(let d) = $0 { d } else { nil } }.first
        #expect(diagnosis?.stage == .popDisabled, "\(steps)")
        #expect(fixture.connector.connections == 0)
    }

    @Test("a provider offering both links over IMAP automatically, over POP3 when chosen")
    func bothOffered() async throws {
        let imap = FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["someone@yandex.com": "pw"]))
        let (automatic, steps) = try await Self.link("someone@yandex.com", password: "pw", connector: imap.connector)
        #expect(steps.contains { if case .awaitingConfirmation = $0 { true } else { false } }, "\(steps)")
        #expect(await automatic.accounts.accounts().first?.incomingProtocol == .imap)

        let pop3 = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["someone@yandex.com": "pw"]))
        let (chosen, chosenSteps) = try await Self.link(
            "someone@yandex.com", password: "pw", connector: pop3.connector, choice: .pop3)
        #expect(chosenSteps.contains { if case .awaitingConfirmation = $0 { true } else { false } }, "\(chosenSteps)")
        let account = try #require(await chosen.accounts.accounts().first)
        #expect(account.incomingProtocol == .pop3 && account.incoming.port == 995)
    }

    @Test("discovered settings keep both servers; the choice swaps the incoming one")
    func choosing() {
        var found = DiscoveredAccountSettings(
            incoming: ServerSettings(host: "pop.example.com", port: 995, security: .tls, user: "u"), outgoing: nil,
            origin: "test")
        #expect(found.automatic.incomingProtocol == .pop3)
        #expect(found.choosing(.imap) == nil)
        found.imap = ServerSettings(host: "imap.example.com", port: 993, security: .tls, user: "u")
        #expect(found.automatic.incoming.host == "imap.example.com" && found.automatic.incomingProtocol == .imap)
        #expect(found.choosing(.pop3)?.incoming.host == "pop.example.com")
    }
}
