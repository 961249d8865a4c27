import AccountLinking
import AutoDiscovery
import Foundation
import MailAuth
import MailMessage
import MailTesting
import MailTransport
import Synchronization
import Testing

/// Routes each connection to the fake server named by its host.
private struct HostConnector: MailConnector {
    let servers: [String: FakePOP3Server]
    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        guard let server = servers[endpoint.host] else { throw TransportError(.connectionRefused, "\(endpoint.host):\(endpoint.port)") }
        return try await server.connector.connect(to: endpoint, tls: tls, timeouts: timeouts)
    }
}

@Suite("RolloutAudit")
struct RolloutAuditTests {
    /// ann and bob at pop.example.net, carol at pop.apppass.test (app passwords), dan at
    /// pop.nopop.test (POP switched off), eve at oauth.test (OAuth only), and fay nowhere.
    private let main = FakePOP3Server(accounts: SASLServerAccounts(passwords: [
        "ann@example.net": "right", "bob@example.net": "right", "carol@apppass.test": "app-password",
    ]))
    private let disabled = FakePOP3Server(
        configuration: {
            var configuration = FakePOP3Configuration()
            configuration.faults = [.refuse(verb: "PASS", response: "-ERR Your account is not enabled for POP access.")]
            return configuration
        }(),
        accounts: SASLServerAccounts(passwords: ["dan@nopop.test": "right"]))

    private func audit() -> RolloutAudit {
        RolloutAudit(
            discover: { address in
                guard address.domain != "nowhere.test" else {
                    throw LinkDiagnosisError(LinkDiagnosis(
                        stage: .nameResolution, summary: "pop.nowhere.test does not exist", suggestion: "Check the address."))
                }
                let host = address.domain == "example.net" ? "pop.example.net" : "pop.\(address.domain)"
                return DiscoveredAccountSettings(
                    incoming: ServerSettings(host: host, port: 995, security: .tls, user: address.description),
                    outgoing: nil, origin: "bundled table (\(address.domain))")
            },
            providerHints: { address in
                switch address.domain {
                case "apppass.test": ProviderHints(requiresAppPassword: true, appPasswordURL: "https://apppass.test/app-passwords")
                case "oauth.test": ProviderHints(requiresOAuth: true)
                case "nopop.test": ProviderHints(enableURL: "https://nopop.test/settings/pop")
                default: .none
                }
            },
            connector: HostConnector(servers: [
                "pop.example.net": main, "pop.apppass.test": main, "pop.nopop.test": disabled, "pop.oauth.test": main,
            ]),
            concurrency: 2, now: { Date(timeIntervalSince1970: 1_800_000_000) })
    }

    private let accounts = [
        RolloutAudit.Account(address: "ann@example.net", owner: "Ann", secret: .password("right"), extra: ["team": "sales"]),
        RolloutAudit.Account(address: "bob@example.net", owner: "Bob"),
        RolloutAudit.Account(address: "carol@apppass.test", owner: "Carol", secret: .password("her-usual-password")),
        RolloutAudit.Account(address: "dan@nopop.test", secret: .password("right")),
        RolloutAudit.Account(address: "eve@oauth.test", secret: .password("anything")),
        RolloutAudit.Account(address: "fay@nowhere.test", secret: .password("x")),
    ]

    @Test("each account lands in the category of what stands in its way, in the list's order, with its owner's actions")
    func categories() async throws {
        let progress = Mutex<[Int]>([])
        let report = await audit().run(accounts, source: "accounts.csv") { done, total, _ in
            #expect(total == 6)
            progress.withLock { $0.append(done) }
        }
        #expect(progress.withLock { $0 } == [1, 2, 3, 4, 5, 6])
        #expect(report.accounts.map(\.address) == accounts.map(\.address))
        #expect(report.accounts.map(\.category) == [.ready, .noPassword, .needsAppPassword, .needsPOPEnabled, .needsOAuth, .unreachable])
        let carol = report.accounts[2]
        #expect(carol.ownerActions.first?.contains("https://apppass.test/app-passwords") == true)
        #expect(report.accounts[3].ownerActions.first?.contains("https://nopop.test/settings/pop") == true)
        #expect(report.accounts[3].problem?.serverText == "Your account is not enabled for POP access.")
        // bob has no password: checked up to sign-in, and never signed in; eve's password was never sent.
        #expect(report.accounts[1].steps.map(\.status).suffix(1) == ["SKIP"])
        #expect(!main.receivedCommands.contains { $0 == "USER bob@example.net" || $0.hasPrefix("USER eve") })
        #expect(report.accounts[4].steps.isEmpty)
    }

    @Test("the Markdown report has the summary, a section per provider, every account and both checklists")
    func markdown() async throws {
        let report = await audit().run(accounts, source: "accounts.csv")
        let text = report.markdown
        #expect(text.contains("| Ready | 1: ann@example.net |"))
        #expect(text.contains("| Needs an app password | 1: carol@apppass.test |"))
        #expect(text.contains("### example.net\n\n- incoming: `POP3 pop.example.net:995 tls`"))
        #expect(text.contains("- settings from: bundled table (example.net)"))
        #expect(text.contains("- team: sales"))
        #expect(text.contains("What Carol must do:"))
        #expect(text.contains("## Checklist for users"))
        #expect(text.contains("apppass.test: with two-step verification on, create an app password at https://apppass.test/app-passwords"))
        #expect(text.contains("## Checklist for the administrator"))
        #expect(text.contains("`pop.example.net:995`"))
        #expect(text.contains("Register an OAuth 2.0 application"))
        #expect(!text.contains("right") && !text.contains("her-usual-password"), "no secret in the report")
        #expect(!text.contains("Error("), "no Swift type names")
        #expect(report.pilotWarning == nil)  // five providers
    }

    @Test("fewer than three providers: the report warns that the pilot is too narrow")
    func pilotWarning() async throws {
        let report = await audit().run(Array(accounts.prefix(2)), source: "two.csv")
        #expect(report.pilotWarning?.contains("cover 1 provider.") == true)
        #expect(report.markdown.contains("> **Pilot:**"))
    }

    @Test("the JSON form carries each account's category, steps, problem and actions, and no secret")
    func json() async throws {
        let report = await audit().run(accounts, source: "accounts.csv")
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let object = try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        #expect(object["source"] as? String == "accounts.csv")
        #expect(object["date"] as? String == "2027-01-15T08:00:00Z")
        let listed = try #require(object["accounts"] as? [[String: Any]])
        #expect(listed.map { $0["category"] as? String } == [
            "ready", "no-password", "needs-app-password", "needs-pop-enabled", "needs-oauth", "unreachable",
        ])
        #expect((listed[0]["steps"] as? [[String: Any]])?.last?["status"] as? String == "PASS")
        #expect((listed[3]["problem"] as? [String: Any])?["stage"] as? String == "POP access")
        #expect((listed[0]["extra"] as? [String: String]) == ["team": "sales"])
        let text = String(decoding: try encoder.encode(report), as: UTF8.self)
        #expect(!text.contains("her-usual-password"))
    }

    @Test("an IMAP provider: the row follows discovery's choice and is checked over IMAP; asking for POP3 says it is not offered")
    func imapRows() async throws {
        let imap = FakeIMAPServer(accounts: SASLServerAccounts(passwords: ["gil@imaponly.test": "right"]))
        let audit = RolloutAudit(
            discover: { address in
                DiscoveredAccountSettings(
                    incoming: ServerSettings(host: "imap.imaponly.test", port: 993, security: .tls, user: address.description),
                    outgoing: nil, origin: "bundled table (imaponly.test)", incomingProtocol: .imap)
            },
            providerHints: { _ in .none }, connector: FakeNetwork(["imap.imaponly.test": imap.connector]))
        let report = await audit.run(
            [
                RolloutAudit.Account(address: "gil@imaponly.test", secret: .password("right")),
                RolloutAudit.Account(address: "gil@imaponly.test", secret: .password("right"), mailProtocol: "pop3"),
                RolloutAudit.Account(address: "gil@imaponly.test", mailProtocol: "nntp"),
            ], source: "imap.csv")
        #expect(report.accounts.map(\.category) == [.ready, .other, .other])
        #expect(report.accounts[0].incomingProtocol == .imap)
        #expect(report.accounts[0].steps.contains { $0.name == "IMAP login" && $0.status == "PASS" }, "\(report.accounts[0].steps)")
        #expect(report.accounts[1].problem?.summary == "imaponly.test offers no POP3")
        #expect(report.accounts[2].problem?.summary.contains("nntp") == true)
        #expect(report.markdown.contains("- IMAP: `imap.imaponly.test:993 tls`"))
    }
}
