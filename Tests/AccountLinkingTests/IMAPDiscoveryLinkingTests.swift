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

    @Test("SettingsDiscovery offers IMAP when the provider has it (iCloud, Gmail), POP3 otherwise, and keeps both")
    func settingsDiscoveryPrefersIMAP() async throws {
        let discover = try Self.offlineDiscovery()
        let icloud = try await discover(try EmailAddress("someone@icloud.com"))
        #expect(icloud.incomingProtocol == .imap && icloud.incoming.host == "imap.mail.me.com")
        #expect(icloud.pop3 == nil)
        let gmail = try await discover(try EmailAddress("someone@gmail.com"))
        #expect(gmail.incomingProtocol == .imap && gmail.incoming.host == "imap.gmail.com")
        #expect(gmail.pop3?.host == "pop.gmail.com")
        #expect(gmail.automatic == gmail)
        let rambler = try await discover(try EmailAddress("someone@rambler.ru"))
        #expect(rambler.incomingProtocol == .pop3 && rambler.incoming.host == "pop.rambler.ru")
    }

    @Test("SettingsDiscovery without a server of the offered protocols: POP3 only says no POP3, both say neither")
    func settingsDiscoveryNothingOffered() async throws {
        let configuration = try DiscoveryConfiguration(offline: true)
        let pop3Only = SettingsDiscovery.using(AutoDiscoverer(configuration: configuration), offering: [.pop3])
        await #expect {
            _ = try await pop3Only(try EmailAddress("someone@icloud.com"))
        } throws: { error in
            (error as? LinkDiagnosisError)?.diagnosis.summary == "iCloud Mail offers no POP3"
        }
        let both = SettingsDiscovery.using(AutoDiscoverer(configuration: configuration))
        await #expect {
            _ = try await both(try EmailAddress("someone@proton.me"))
        } throws: { error in
            guard let diagnosis = (error as? LinkDiagnosisError)?.diagnosis else { return false }
            return diagnosis.summary.hasSuffix("offers no POP3 or IMAP access") && diagnosis.stage == .popDisabled
        }
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
