import AccountLinking
import AutoDiscovery
import FolderRouting
import MailAuth
import MailMessage
import MailOAuth
import MailTesting
import MailTransport
import SMTPSender
import Synchronization
import WebmailKit
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The built-in fake servers of `swift run webmail` with no `--home`, on loopback over real TLS
/// (a throwaway CA): the mailboxes to link on a POP3 server, the primary's outgoing server, and
/// the linked addresses' own outgoing server. A small "Internet" task carries what the outgoing
/// servers accept to the mailboxes it is for, so a confirmation e-mail arrives in the linked
/// mailbox and a message sent to a linked address is fetched by the next check.
final class DemoServers: Sendable {
    /// Found by the demo's own settings table, needs no Advanced options.
    static let linkedAddress = "you@linked.example"
    static let linkedPassword = "demo-app-password"
    /// Not in any table: linking it takes the Advanced options.
    static let otherAddress = "other@elsewhere.example"
    static let otherPassword = "other-password"
    /// Takes only OAuth 2.0 tokens of the demo's authorization server: "Sign in with a code".
    static let oauthAddress = "you@oauth.example"
    static let oauthClientID = "webmail-demo"
    static let primaryAddress = "me@primary.example"
    static let primaryPassword = "demo-primary-password"

    let authority: TestCertificateAuthority
    let pop3: FakePOP3Server
    let pop3Listener: LoopbackListener
    let primarySMTP: FakeSMTPServer
    let primaryListener: LoopbackListener
    let linkedSMTP: FakeSMTPServer
    let linkedListener: LoopbackListener
    let authorization: FakeAuthorizationServer
    let oauthPOP3: FakePOP3Server
    let oauthPOP3Listener: LoopbackListener
    let oauthSMTP: FakeSMTPServer
    let oauthSMTPListener: LoopbackListener
    private let tasks: Mutex<[Task<Void, Never>]>

    init() throws {
        authority = try TestCertificateAuthority(commonName: "webmail demo CA")
        let certificate = try authority.issue()
        pop3 = FakePOP3Server(
            accounts: SASLServerAccounts(passwords: [
                Self.linkedAddress: Self.linkedPassword, Self.otherAddress: Self.otherPassword,
            ]))
        for (uid, text) in Self.originals {
            pop3.deliver(FakePOP3Message(uid: uid, text: text), to: Self.linkedAddress)
        }
        pop3.deliver(
            Self.note(
                "other-1", from: "Carla <carla@friends.example>", to: Self.otherAddress,
                subject: "Mail in the other mailbox"), to: Self.otherAddress)
        pop3Listener = try pop3.listen(certificate: certificate, implicitTLS: true)
        primarySMTP = FakeSMTPServer(
            configuration: .init(
                hostname: "smtp.primary.example",
                accounts: SASLServerAccounts(passwords: [Self.primaryAddress: Self.primaryPassword]),
                requiresAuthentication: true))
        primaryListener = try LoopbackListener(certificate: certificate)
        linkedSMTP = FakeSMTPServer(
            configuration: .init(
                hostname: "smtp.linked.example", offersStartTLS: false,
                accounts: SASLServerAccounts(passwords: [
                    Self.linkedAddress: Self.linkedPassword, Self.otherAddress: Self.otherPassword,
                ]),
                requiresAuthentication: true))
        linkedListener = try LoopbackListener(certificate: certificate, implicitTLS: true)
        var authorizationConfiguration = FakeAuthorizationServer.Configuration()
        authorizationConfiguration.clientID = Self.oauthClientID
        authorizationConfiguration.user = Self.oauthAddress
        authorizationConfiguration.deviceInterval = 1
        authorization = try FakeAuthorizationServer(configuration: authorizationConfiguration)
        let tokens = SASLServerAccounts(tokenValidator: authorization.tokenValidator)
        var oauthConfiguration = FakePOP3Configuration()
        oauthConfiguration.saslMechanisms = ["XOAUTH2"]
        oauthPOP3 = FakePOP3Server(configuration: oauthConfiguration, accounts: tokens)
        oauthPOP3.deliver(
            Self.note(
                "oauth-1", from: "Dora <dora@friends.example>", to: Self.oauthAddress,
                subject: "Signed in without a password"), to: Self.oauthAddress)
        oauthPOP3Listener = try oauthPOP3.listen(certificate: certificate, implicitTLS: true)
        oauthSMTP = FakeSMTPServer(
            configuration: .init(
                hostname: "smtp.oauth.example", offersStartTLS: false, accounts: tokens,
                authenticationMechanisms: ["XOAUTH2"],
                requiresAuthentication: true))
        oauthSMTPListener = try LoopbackListener(certificate: certificate, implicitTLS: true)
        let servers = [(primarySMTP, primaryListener), (linkedSMTP, linkedListener), (oauthSMTP, oauthSMTPListener)]
        tasks = Mutex(servers.map { server, listener in Task { await server.serve(listener) } })
    }

    /// A short message waiting in a demo mailbox.
    static func note(_ uid: String, from: String, to: String, subject: String) -> FakePOP3Message {
        FakePOP3Message(
            uid: uid,
            text:
                "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nMessage-ID: <\(uid)@friends.example>\r\n\r\nHello.\r\n"
        )
    }

    /// What the linked mailbox holds before it is linked: a few ordinary messages and one whose
    /// subject and sender try to inject markup and script (the pages must show them as text).
    static let originals: [(String, String)] = [
        (
            "demo-1",
            "From: Anna <anna@friends.example>\r\nTo: \(linkedAddress)\r\nSubject: Welcome to your old mailbox\r\n"
                + "Date: Tue, 1 Dec 2026 09:00:00 +0000\r\nMessage-ID: <demo-1@friends.example>\r\n\r\n"
                + "This message waited on the old server.\r\n"
        ),
        (
            "demo-2",
            "From: =?UTF-8?B?0JHQvtGA0LjRgQ==?= <boris@friends.example>\r\nTo: \(linkedAddress)\r\n"
                + "Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?=\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n"
                + "Message-ID: <demo-2@friends.example>\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nПривет! Cyrillic mail arrives byte for byte.\r\n"
        ),
        (
            "demo-3",
            "From: \"<img src=x onerror=alert(1)>\" <mallet@attacker.example>\r\nTo: \(linkedAddress)\r\n"
                + "Subject: <script>alert(\"subject\")</script> & \"quotes\" 'too'\r\n"
                + "Date: Tue, 1 Dec 2026 11:00:00 +0000\r\nMessage-ID: <demo-3@attacker.example>\r\n\r\n"
                + "</pre><script>alert('body')</script><b>not bold</b>\r\n"
        ),
    ]

    /// The TLS trust for the fakes' certificates.
    var tlsPolicy: TLSPolicy { TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]) }

    /// The demo's settings table: the linked address's servers are "found"; any other address
    /// goes to the bundled provider table (offline), which knows the big providers.
    func discover() throws -> @Sendable (EmailAddress) async throws -> DiscoveredAccountSettings {
        let (pop3Port, smtpPort) = (pop3Listener.port, linkedListener.port)
        let oauthPorts = (pop3: oauthPOP3Listener.port, smtp: oauthSMTPListener.port)
        let bundled = SettingsDiscovery.using(AutoDiscoverer(configuration: try DiscoveryConfiguration(offline: true)))
        return { address in
            let ports: (Int, Int)
            switch address.domain.lowercased() {
            case "linked.example": ports = (pop3Port, smtpPort)
            case "oauth.example": ports = (oauthPorts.pop3, oauthPorts.smtp)
            default: return try await bundled(address)
            }
            let user = address.description
            return DiscoveredAccountSettings(
                incoming: ServerSettings(host: "127.0.0.1", port: ports.0, security: .tls, user: user),
                outgoing: ServerSettings(host: "127.0.0.1", port: ports.1, security: .tls, user: user),
                origin: "the demo's settings table", confirmationReasons: [])
        }
    }

    var confirmationSender: any MailSending {
        SessionOpener(tlsPolicy: tlsPolicy, timeouts: .all(.seconds(30))).smtpSender(
            ServerSettings(
                host: "127.0.0.1", port: primaryListener.port, security: .startTLS, user: Self.primaryAddress),
            secret: .password(Self.primaryPassword))
    }

    /// Starts carrying mail: what an outgoing server accepted for a mailbox on the POP3 server goes
    /// there; what it accepted for the primary goes into the primary's Inbox in `store`.
    func startInternet(deliveringPrimaryMailTo store: any MailStore) {
        let (pop3, oauthPOP3, servers) = (pop3, oauthPOP3, [primarySMTP, linkedSMTP, oauthSMTP])
        let task = Task {
            var carried = [0, 0, 0]
            while !Task.isCancelled {
                for (index, server) in servers.enumerated() {
                    let received = server.receivedMessages
                    for (number, message) in received.enumerated().dropFirst(carried[index]) {
                        for recipient in message.recipients.map({ $0.lowercased() }) {
                            if [Self.linkedAddress, Self.otherAddress].contains(recipient) {
                                pop3.deliver(
                                    FakePOP3Message(uid: "internet-\(index)-\(number)", content: message.data),
                                    to: recipient)
                            } else if recipient == Self.oauthAddress {
                                oauthPOP3.deliver(
                                    FakePOP3Message(uid: "internet-\(index)-\(number)", content: message.data),
                                    to: recipient)
                            } else if recipient == Self.primaryAddress {
                                _ = try? await store.deliver(IncomingMessage(bytes: message.data, folder: .inbox))
                            }
                        }
                    }
                    carried[index] = received.count
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        tasks.withLock { $0.append(task) }
    }

    /// Signing in at the demo's authorization server.
    var oauth: WebmailOAuth {
        WebmailOAuth(
            registration: OAuthClientRegistration(clientID: Self.oauthClientID), server: .issuer(authorization.issuer))
    }

    /// What the pages standing in for the rest of the Internet show.
    var hooks: DemoHooks {
        let (pop3, primarySMTP, linkedSMTP, authorization) = (pop3, primarySMTP, linkedSMTP, authorization)
        let oauthPOP3 = self.oauthPOP3
        return DemoHooks(
            servers: [
                "fake POP3 server (TLS) for \(Self.linkedAddress) and \(Self.otherAddress) on 127.0.0.1 port "
                    + "\(pop3Listener.port)",
                "fake SMTP server (STARTTLS) for \(Self.primaryAddress) on 127.0.0.1 port \(primaryListener.port)",
                "fake SMTP server (TLS) for the linked addresses on 127.0.0.1 port \(linkedListener.port)",
                "fake POP3 and SMTP servers (TLS) for \(Self.oauthAddress), OAuth 2.0 only, on 127.0.0.1 ports "
                    + "\(oauthPOP3Listener.port) and \(oauthSMTPListener.port); authorization server \(authorization.issuer)",
            ],
            remoteMailboxes: {
                [(pop3, Self.linkedAddress), (pop3, Self.otherAddress), (oauthPOP3, Self.oauthAddress)].flatMap {
                    server, user in
                    server.messages(of: user).map {
                        DemoHooks.Message(place: "POP3", envelopeSender: nil, recipients: [user], bytes: $0.content)
                    }
                }
            },
            sent: {
                primarySMTP.receivedMessages.map {
                    DemoHooks.Message(
                        place: "primary's SMTP", envelopeSender: $0.sender, recipients: $0.recipients, bytes: $0.data)
                }
                    + linkedSMTP.receivedMessages.map {
                        DemoHooks.Message(
                            place: "linked SMTP", envelopeSender: $0.sender, recipients: $0.recipients, bytes: $0.data)
                    }
            },
            approveSignIn: { code in authorization.approve(userCode: code) })
    }

    func close() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
        pop3Listener.close()
        primaryListener.close()
        linkedListener.close()
        oauthPOP3Listener.close()
        oauthSMTPListener.close()
        authorization.close()
        authority.remove()
    }
}
