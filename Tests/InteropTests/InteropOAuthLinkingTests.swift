import AccountLinking
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailOAuth
import MailTesting
import MailTransport
import SMTPSender
import Synchronization
import TestbedSupport
import Testing

/// AccountLinking with OAuth 2.0 against the bench: the device flow at the bench's authorization
/// server, POP3 sync from the OAuth Dovecot (its `oauth2` passdb checks each token by
/// introspection), sending as the account with XOAUTH2 through Postfix, refresh with rotation,
/// and a revoked grant turned into "sign in again".
///
/// Uses the bench's second OAuth user (peggy: MAILLINK_OAUTH_USER2, its own Maildir); serialized
/// because every test empties and reads that Maildir.
@Suite(
    "Interop: linking OAuth 2.0 accounts (device flow, sync, send, refresh, revocation)", .serialized,
    .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropOAuthLinkingTests {
    /// Records confirmation e-mails instead of sending them (the OAuth part is under test).
    final class ConfirmationRecorder: MailSending, Sendable {
        private let texts = Mutex<[String]>([])
        func send(envelope: SMTPEnvelope, message: [UInt8]) async throws -> SMTPSendResult {
            texts.withLock { $0.append(String(decoding: message, as: UTF8.self)) }
            return SMTPSendResult(recipients: [], finalReply: SMTPReply(code: 250, lines: ["OK"]))
        }
        var lastLink: String? {
            texts.withLock { $0.last }?.replacingOccurrences(of: "=\r\n", with: "").split(
                whereSeparator: \.isWhitespace
            )
            .first { $0.hasPrefix("https://mail.example.test/confirm?token=") }.map(String.init)
        }
    }

    struct Bench {
        let environment: TestbedEnvironment
        let issuer: String
        let clientID: String
        let user: TestbedEnvironment.User
        let pop3sPort: Int
        let smtpsPort: Int
        let directory = NSTemporaryDirectory() + "maillink-oauth-linking-\(UUID().uuidString)"

        init() throws {
            let environment = try TestbedEnvironment.required()
            self.environment = environment
            func value(_ key: String) throws -> String {
                guard let value = environment.values[key], !value.isEmpty else {
                    throw TestbedEnvironment.LoadError(
                        .missingKey, "\(key): the bench needs a restart with the second OAuth user")
                }
                return value
            }
            issuer = try value("MAILLINK_OAUTH_ISSUER")
            clientID = try value("MAILLINK_OAUTH_CLIENT_ID")
            user = TestbedEnvironment.User(
                key: "peggy", address: try value("MAILLINK_OAUTH_USER2"), password: "",
                maildir: try value("MAILLINK_OAUTH_MAILDIR2"))
            pop3sPort = Int(try value("MAILLINK_OAUTH_POP3S_PORT")) ?? 0
            smtpsPort = Int(try value("MAILLINK_OAUTH_SMTPS_PORT")) ?? 0
        }

        var address: EmailAddress { get throws { try EmailAddress(user.address) } }
        var tls: TLSPolicy { TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [environment.caFile]) }

        /// A linker over files in ``directory``; `connector` sees every mail connection.
        func linker(
            store: any MailStore, sender: ConfirmationRecorder, connector: any MailConnector = SocketConnector()
        ) throws -> AccountLinker {
            var configuration = try AccountLinker.Configuration.files(
                directory: directory, primaryAddress: try EmailAddress("alice@example.test"),
                confirmationSender: sender,
                confirmationBaseURL: "https://mail.example.test/confirm", store: store)
            configuration.tlsPolicy = tls
            configuration.timeouts = .all(.seconds(30))
            configuration.connector = connector
            return AccountLinker(configuration: configuration)
        }

        var options: AccountLinker.LinkOptions {
            AccountLinker.LinkOptions(
                incoming: ServerSettings(host: environment.host, port: pop3sPort, security: .tls, user: user.address),
                outgoing: ServerSettings(host: environment.host, port: smtpsPort, security: .tls, user: user.address))
        }

        /// Links peggy with the device flow, approving the code at the bench as the user would.
        func link(_ linker: AccountLinker) async throws -> [LinkStep] {
            let signIn = AccountLinker.OAuthSignIn(
                method: .device, registration: OAuthClientRegistration(clientID: clientID), server: .issuer(issuer),
                scopes: ["mail"], timeout: .seconds(120))
            var steps: [LinkStep] = []
            for await step in await linker.link(address: try address, oauth: signIn, options: options) {
                steps.append(step)
                if case .authorize(.enterCode(let code, _, _)) = step {
                    let approval = try await HTTPClient().send(
                        .form(issuer + "/device/approve", fields: [("user_code", code), ("username", user.address)]),
                        timeout: .seconds(30))
                    #expect(approval.status == 200)
                }
            }
            return steps
        }

        /// Links and confirms; the first sync has run.
        func confirmed(_ linker: AccountLinker, _ sender: ConfirmationRecorder) async throws -> LinkedAccount {
            let steps = try await link(linker)
            guard case .awaitingConfirmation? = steps.last, let link = sender.lastLink else {
                throw TestbedEnvironment.LoadError(.missingKey, "linking did not finish: \(steps)")
            }
            let account = try await linker.confirm(link)
            await linker.waitForPendingSyncs()
            return account
        }

        /// An empty Maildir for peggy, a linker over new files, and the account linked and confirmed.
        func confirmedAccount() async throws -> (AccountLinker, MaildirStore, ConfirmationRecorder, LinkedAccount) {
            try environment.removeAllMessages(of: user)
            let store = try await MaildirStore.open(at: directory + "/Maildir")
            let sender = ConfirmationRecorder()
            let linker = try linker(store: store, sender: sender)
            return (linker, store, sender, try await confirmed(linker, sender))
        }

        func revoke(_ token: String) async throws {
            let answer = try await HTTPClient().send(
                .form(issuer + "/revoke", fields: [("token", token)]), timeout: .seconds(30))
            #expect(answer.status == 200)
        }

        /// Ends an access token's lifetime at the authorization server, as if its hour had passed.
        func expire(_ token: String) async throws {
            let answer = try await HTTPClient().send(
                .form(issuer + "/expire", fields: [("token", token)]), timeout: .seconds(30))
            #expect(answer.status == 200, "the bench's authorization server knows POST /expire")
        }

        /// The account's current access token, from the linker's credential layer.
        func accessToken(of linker: AccountLinker) async throws -> String {
            guard
                case .oauth2(let provider)? = try await linker.configuration.credentials.secret(
                    for: AccountID(try address))
            else { throw TestbedEnvironment.LoadError(.missingKey, "no token provider") }
            return try await provider.accessToken()
        }

        func grant() async throws -> OAuthGrant? {
            try await FileCredentialStore(path: directory + "/secrets.json").grant(for: AccountID(try address))
        }

        func waitForMessage(containing marker: String) async throws -> Bool {
            for _ in 0..<300 {
                for sub in ["new", "cur"] {
                    let folder = user.maildir + "/" + sub
                    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
                        if (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8))?.contains(marker) == true
                        {
                            return true
                        }
                    }
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
    }

    @Test("link with the device flow, sync the mail, send as the account with XOAUTH2 through Postfix")
    func linkSyncSend() async throws {
        let bench = try Bench()
        try bench.environment.removeAllMessages(of: bench.user)
        let marker = "oauth-link-\(UUID().uuidString)"
        for index in 1...2 {
            try bench.environment.deliver(
                Data(
                    "From: someone@example.org\r\nTo: \(bench.user.address)\r\nSubject: \(marker) \(index)\r\n\r\nbody \(index)\r\n"
                        .utf8),
                to: bench.user)
        }
        let store = try await MaildirStore.open(at: bench.directory + "/Maildir")
        let sender = ConfirmationRecorder()
        // Postfix through the OAuth Dovecot offers XOAUTH2 and OAUTHBEARER; Microsoft offers only
        // XOAUTH2, which the filter leaves, as its servers do.
        let filter = InteropSMTPMechanismFilter(keeping: "XOAUTH2")
        let linker = try bench.linker(store: store, sender: sender, connector: filter)
        let steps = try await bench.link(linker)
        #expect(
            steps.contains {
                if case .authorize(.enterCode(_, let uri, _)) = $0 { uri.hasPrefix(bench.issuer) } else { false }
            })
        #expect(steps.contains(.authorized))
        #expect(steps.contains(.connected(messages: 2)), "\(steps)")
        guard case .awaitingConfirmation? = steps.last, let link = sender.lastLink else {
            Issue.record("linking did not finish: \(steps)")
            return
        }
        let secrets = try String(contentsOfFile: bench.directory + "/secrets.json", encoding: .utf8)
        #expect(secrets.contains("oauth2-refresh-token") && !secrets.contains("bat-"), "no access token is stored")

        let account = try await linker.confirm(link)
        await linker.waitForPendingSyncs()
        guard case .success(let report)? = await linker.lastSync[account.id] else {
            Issue.record("sync: \(String(describing: await linker.lastSync[account.id]))")
            return
        }
        #expect(report.fetched == 2)
        var subjects: [String] = []
        for entry in try await store.messages(in: account.folder) {
            subjects.append(String(decoding: try await store.read(entry.id), as: UTF8.self))
        }
        #expect(subjects.filter { $0.contains(marker) }.count == 2)

        try await linker.setDefaultIdentity(try bench.address)
        var message = try await linker.newMessage()
        let sentMarker = "oauth-sent-\(UUID().uuidString)"
        message.to = [try Mailbox(bench.user.address)]
        message.subject = sentMarker
        message.textBody = "sent as a linked OAuth account"
        try await linker.send(message)
        #expect(filter.sentText.contains("AUTH XOAUTH2"))
        #expect(
            try await bench.waitForMessage(containing: sentMarker), "the message reached the Maildir through Postfix")
        await store.close()
    }

    @Test("an expired token is refreshed; the rotated refresh token is stored and used next time")
    func refresh() async throws {
        let bench = try Bench()
        let (linker, store, sender, account) = try await bench.confirmedAccount()
        let first = try #require(try await bench.grant())
        // The access token's lifetime ends at the server: Dovecot's introspection says inactive,
        // the session refreshes and signs in again.
        try await bench.expire(try await bench.accessToken(of: linker))
        try bench.environment.deliver(Data("Subject: after refresh\r\n\r\nbody\r\n".utf8), to: bench.user)
        guard case .success(let report) = await linker.sync(account.address) else {
            Issue.record("sync after refresh: \(String(describing: await linker.lastSync[account.id]))")
            return
        }
        #expect(report.fetched == 1)
        let second = try #require(try await bench.grant())
        #expect(second.refreshToken != first.refreshToken, "the rotated refresh token was written back")
        await store.close()

        // Another process over the same files signs in with the stored, rotated grant.
        let again = try await MaildirStore.open(at: bench.directory + "/Maildir")
        let restarted = try bench.linker(store: again, sender: sender)
        guard case .success = await restarted.sync(account.address) else {
            Issue.record("sync in a new linker: \(String(describing: await restarted.lastSync[account.id]))")
            return
        }
        #expect(try await bench.grant()?.refreshToken != second.refreshToken)
        await again.close()
    }

    @Test("a revoked grant is refused with Dovecot's own answer, diagnosed as sign in again; the scheduler stops")
    func revokedGrant() async throws {
        let bench = try Bench()
        let (linker, store, _, account) = try await bench.confirmedAccount()
        // The user revokes the application's access: both tokens stop working.
        try await bench.revoke(try await bench.accessToken(of: linker))
        try await bench.revoke(try #require(try await bench.grant()).refreshToken)

        let events = await linker.syncEvents()
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        await scheduler.checkNow()
        var diagnosis: LinkDiagnosis?
        let waiting = Task { () -> LinkDiagnosis? in
            for await event in events {
                if case .needsAttention(let found) = event.kind { return found }
            }
            return nil
        }
        let timeout = Task {
            try await Task.sleep(for: .seconds(60))
            waiting.cancel()
        }
        diagnosis = await waiting.value
        timeout.cancel()
        let found = try #require(diagnosis, "no needsAttention event")
        #expect(found.stage == .signInAgain)
        #expect(found.serverText?.contains("Authentication failed") == true, "Dovecot's words: \(found)")
        #expect(!found.description.lowercased().contains("check the user name and password"))
        #expect(try await linker.account(account.address)?.attention == .signInAgain)
        #expect(await scheduler.schedule(of: account.address) == nil)
        await scheduler.stop()

        // A new sign-in clears it, and the account syncs again.
        let steps = try await bench.link(linker)
        #expect(steps.last.map { if case .updated = $0 { true } else { false } } == true, "\(steps)")
        #expect(try await linker.account(account.address)?.attention == nil)
        guard case .success = await linker.sync(account.address) else {
            Issue.record("sync after signing in again: \(String(describing: await linker.lastSync[account.id]))")
            return
        }
        await store.close()
    }
}
