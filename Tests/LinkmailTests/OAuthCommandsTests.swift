import Foundation
import MailTesting
import TestbedSupport
import Testing

/// `linkmail` with OAuth 2.0, offline: `add --oauth device` against MailTesting's fake
/// authorization server and a POP3 fake that takes only its tokens, `--token-file` on `fetch`,
/// `send` and `check`, and `demo --oauth`.
@Suite("linkmail with OAuth 2.0: add --oauth, --token-file, demo --oauth", .serialized)
struct OAuthCommandsTests {
    static let primary = "me@primary.test"
    static let linked = "you@linked.test"

    /// A fake authorization server, a POP3 fake (TLS) that takes only its tokens, the primary's
    /// SMTP fake, and a home set up with `linkmail init`.
    final class Fixture: Sendable {
        let authorization: FakeAuthorizationServer
        let authority: TestCertificateAuthority
        let pop3: FakePOP3Server
        let pop3Listener: LoopbackListener
        let smtp: FakeSMTPServer
        let smtpListener: LoopbackListener
        let serving: Task<Void, Never>
        let home: String

        init(clientSecret: String? = nil) throws {
            var configuration = FakeAuthorizationServer.Configuration()
            configuration.clientID = "linkmail-tests"
            configuration.clientSecret = clientSecret
            configuration.user = OAuthCommandsTests.linked
            configuration.deviceInterval = 1
            authorization = try FakeAuthorizationServer(configuration: configuration)
            authority = try TestCertificateAuthority()
            let certificate = try authority.issue()
            var pop3Configuration = FakePOP3Configuration()
            pop3Configuration.saslMechanisms = ["XOAUTH2"]
            pop3 = FakePOP3Server(
                configuration: pop3Configuration,
                accounts: SASLServerAccounts(tokenValidator: authorization.tokenValidator))
            pop3Listener = try pop3.listen(certificate: certificate, implicitTLS: true)
            smtp = FakeSMTPServer(
                configuration: .init(
                    accounts: SASLServerAccounts(passwords: [OAuthCommandsTests.primary: "primary-pw"]),
                    requiresAuthentication: true))
            smtpListener = try LoopbackListener(certificate: certificate)
            let server = smtp
            let listener = smtpListener
            serving = Task { await server.serve(listener) }
            home = authority.directory + "/home"
        }

        /// `linkmail init` for the home.
        func initialize() async throws -> ExecutableRunner.Result {
            let primaryPassword = authority.directory + "/primary-pw"
            try Data("primary-pw\n".utf8).write(to: URL(fileURLWithPath: primaryPassword))
            return try await LinkmailRunner.run([
                "init", "--home", home, "--primary", OAuthCommandsTests.primary, "--server",
                "127.0.0.1:\(smtpListener.port)", "--security", "starttls", "--ca", authority.caFile, "--password-file",
                primaryPassword, "--verify-base-url", "https://mail.primary.test/confirm", "--timeout", LinkmailRunner.timeout,
            ])
        }

        /// `add`'s arguments up to the OAuth flags.
        var add: [String] {
            [
                "add", OAuthCommandsTests.linked, "--home", home, "--server", "127.0.0.1:\(pop3Listener.port)",
                "--security", "tls", "--ca", authority.caFile, "--timeout", LinkmailRunner.timeout, "--oauth-client-id", "linkmail-tests",
                "--oauth-issuer", authorization.issuer,
            ]
        }

        /// The confirmation link the primary's server accepted for the linked address.
        func confirmationLink() throws -> String {
            let message = try #require(smtp.receivedMessages.last { $0.recipients.contains(OAuthCommandsTests.linked) })
            let text = String(decoding: message.data, as: UTF8.self).replacingOccurrences(of: "=\r\n", with: "")
            return String(
                try #require(
                    text.split(whereSeparator: \.isWhitespace).first {
                        $0.hasPrefix("https://mail.primary.test/confirm?token=")
                    }))
        }

        func close() {
            pop3Listener.close()
            smtpListener.close()
            serving.cancel()
            authorization.close()
            authority.remove()
        }
    }

    @Test("demo --oauth links with the device flow, syncs and sends with tokens, and refreshes an expired one")
    func demo() async throws {
        let directory = NSTemporaryDirectory() + "linkmail-demo-oauth-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let result = try await LinkmailRunner.run(["demo", "--oauth", "--dir", directory])
        #expect(result.status == 0, "\(result.standardOutput)\n\(result.standardError)")
        #expect(result.standardOutput.contains("enter the code "))
        let checks = result.standardOutput.split(separator: "\n").filter {
            $0.hasPrefix("PASS ") || $0.hasPrefix("FAIL ")
        }
        #expect(checks.count == 5 && checks.allSatisfy { $0.hasPrefix("PASS ") }, "\(checks)")
        let secrets = try String(contentsOfFile: directory + "/secrets.json", encoding: .utf8)
        #expect(secrets.contains("oauth2-refresh-token"))
    }

    @Test("add --oauth device prints the code, waits for the approval, links; confirm syncs with the stored grant")
    func addWithDeviceFlow() async throws {
        let fixture = try Fixture()
        defer { fixture.close() }
        let authorization = fixture.authorization
        let home = fixture.home
        fixture.pop3.deliver(
            FakePOP3Message(uid: "m1", text: "From: a@b.test\r\nSubject: one\r\n\r\nbody\r\n"), to: Self.linked)
        let initialized = try await fixture.initialize()
        #expect(initialized.status == 0, "\(initialized.standardError)")

        // The user approves the code at the verification page while `add` waits.
        let approver = Task {
            for _ in 0..<6000 {
                for code in authorization.pendingUserCodes { authorization.approve(userCode: code) }
                if authorization.counters.tokenRequests["device_code"] ?? 0 > 0, authorization.pendingUserCodes.isEmpty,
                    authorization.counters.deviceAuthorizations > 0
                {
                    return
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        let added = try await LinkmailRunner.run(fixture.add + ["--oauth", "device"])
        approver.cancel()
        #expect(added.status == 0, "\(added.standardOutput)\n\(added.standardError)")
        #expect(added.standardOutput.contains("enter the code "))
        #expect(added.standardOutput.contains("at \(authorization.issuer)/device"))
        #expect(added.standardOutput.contains("signed in to the provider"))
        #expect(added.standardOutput.contains("confirmation sent to \(Self.linked)"))
        let secrets = try String(contentsOfFile: home + "/secrets.json", encoding: .utf8)
        #expect(secrets.contains("oauth2-refresh-token") && secrets.contains("\"clientID\" : \"linkmail-tests\""))

        // Confirming runs the first sync in a new process: the grant from the file signs in.
        let link = try fixture.confirmationLink()
        authorization.expireAccessTokens()  // the new process must refresh
        let confirmed = try await LinkmailRunner.run(["confirm", link, "--home", home])
        #expect(confirmed.status == 0, "\(confirmed.standardOutput)\n\(confirmed.standardError)")
        #expect(confirmed.standardOutput.contains("fetched 1 new"), "\(confirmed.standardOutput)")
        #expect(authorization.counters.tokenRequests["refresh_token"] == 1)
        let rotated = try String(contentsOfFile: home + "/secrets.json", encoding: .utf8)
        #expect(rotated != secrets, "the rotated refresh token was written back")
    }

    @Test("add --oauth browser prints the URL at once (also through a pipe) and links when the browser comes back")
    func addWithBrowser() async throws {
        let fixture = try Fixture(clientSecret: "not-so-secret")
        defer { fixture.close() }
        let authorization = fixture.authorization
        let home = fixture.home
        let clientSecret = fixture.authority.directory + "/client-secret"
        try Data("not-so-secret\n".utf8).write(to: URL(fileURLWithPath: clientSecret))
        let initialized = try await fixture.initialize()
        #expect(initialized.status == 0, "\(initialized.standardError)")

        let running = try ExecutableRunner.start(
            "linkmail", fixture.add + ["--oauth", "browser", "--oauth-client-secret-file", clientSecret],
            unset: ["LINKMAIL_PASSWORD"])
        let shown = await running.waitForOutput(containing: "in your browser to sign in", limit: .seconds(60))
        #expect(shown, "the URL was not printed while add waited: \(running.outputSoFar)")
        if shown,
            let url = running.outputSoFar.split(separator: " ").first(where: {
                $0.hasPrefix(authorization.issuer + "/authorize?")
            })
        {
            #expect(try await authorization.actAsBrowser(opening: String(url)) == 200)
        } else {
            running.kill()
        }
        let added = await running.result()
        #expect(added.status == 0, "\(added.standardOutput)\n\(added.standardError)")
        #expect(added.standardOutput.contains("confirmation sent to \(Self.linked)"))
        // The registration is kept for later refreshes (the secret too), readable by the owner only.
        let clients = try String(contentsOfFile: home + "/oauth-clients.json", encoding: .utf8)
        #expect(clients.contains("linkmail-tests") && clients.contains("not-so-secret"))
        let mode =
            try FileManager.default.attributesOfItem(atPath: home + "/oauth-clients.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!added.standardOutput.contains("not-so-secret"))

        // A later process refreshes with the kept secret (the fake requires it).
        let link = try fixture.confirmationLink()
        authorization.expireAccessTokens()
        let confirmed = try await LinkmailRunner.run(["confirm", link, "--home", home])
        #expect(
            confirmed.standardOutput.contains("fetched 0 new"),
            "\(confirmed.standardOutput)\n\(confirmed.standardError)")
        #expect(authorization.counters.tokenRequests["refresh_token"] == 1)
    }

    @Test("bad OAuth usage exits 2 before anything is sent; a missing client id says how to register")
    func usage() async throws {
        let home = NSTemporaryDirectory() + "linkmail-oauth-usage-\(UUID().uuidString)"
        let noID = try await LinkmailRunner.run(["add", Self.linked, "--home", home, "--oauth", "device"])
        #expect(noID.status == 2)
        #expect(noID.standardError.contains("--oauth-client-id") && noID.standardError.contains("register"))
        let badMethod = try await LinkmailRunner.run([
            "add", Self.linked, "--home", home, "--oauth", "magic", "--oauth-client-id", "x",
        ])
        #expect(badMethod.status == 2 && badMethod.standardError.contains("device or browser"))
        let orphan = try await LinkmailRunner.run(["add", Self.linked, "--home", home, "--oauth-client-id", "x"])
        #expect(orphan.status == 2 && orphan.standardError.contains("needs --oauth"))
        let missingToken = try await LinkmailRunner.run([
            "fetch", "--server", "127.0.0.1:1", "--user", "u", "--maildir", home, "--token-file", home + "/none",
        ])
        #expect(missingToken.status == 2 && missingToken.standardError.contains("--token-file"))
    }

    @Test("fetch, check and send take --token-file: XOAUTH2 with the token, never a password")
    func tokenFile() async throws {
        let token = "ya29.test-access-token"
        let directory = NSTemporaryDirectory() + "linkmail-token-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tokenFile = directory + "/token"
        try Data("\(token)\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        var pop3Configuration = FakePOP3Configuration()
        pop3Configuration.saslMechanisms = ["XOAUTH2"]
        let pop3 = FakePOP3Server(
            configuration: pop3Configuration, accounts: SASLServerAccounts(tokens: [Self.linked: token]))
        pop3.deliver(FakePOP3Message(uid: "t1", text: "Subject: t\r\n\r\nbody\r\n"), to: Self.linked)
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let pop3Listener = try pop3.listen(certificate: try authority.issue(), implicitTLS: true)
        defer { pop3Listener.close() }
        let smtp = FakeSMTPServer(
            configuration: .init(
                offersStartTLS: false, accounts: SASLServerAccounts(tokens: [Self.linked: token]),
                authenticationMechanisms: ["XOAUTH2"], requiresAuthentication: true,
                offersAuthenticationInPlaintext: true))
        let smtpListener = try LoopbackListener()
        defer { smtpListener.close() }
        let serving = Task { await smtp.serve(smtpListener) }
        defer { serving.cancel() }
        let plain = ["--security", "plain", "--insecure-allow-plaintext", "--user", Self.linked, "--timeout", LinkmailRunner.timeout]
        let tls = ["--security", "tls", "--ca", authority.caFile, "--user", Self.linked, "--timeout", LinkmailRunner.timeout]

        let fetched = try await LinkmailRunner.run(
            [
                "fetch", "--server", "127.0.0.1:\(pop3Listener.port)", "--maildir", directory + "/Maildir",
                "--token-file", tokenFile,
            ]
                + tls)
        #expect(fetched.status == 0, "\(fetched.standardOutput)\n\(fetched.standardError)")
        #expect(fetched.standardOutput.contains("fetched 1 new messages"))

        let checked = try await LinkmailRunner.run(
            ["check", "--server", "127.0.0.1:\(pop3Listener.port)", "--token-file", tokenFile] + tls)
        #expect(checked.status == 0, "\(checked.standardOutput)\n\(checked.standardError)")

        let sent = try await LinkmailRunner.run(
            [
                "send", "--server", "127.0.0.1:\(smtpListener.port)", "--from", Self.linked, "--to", "friend@else.test",
                "--subject", "token", "--token-file", tokenFile,
            ] + plain)
        #expect(sent.status == 0, "\(sent.standardOutput)\n\(sent.standardError)")
        #expect(smtp.receivedMessages.last?.authenticatedUser == Self.linked)
        #expect(smtp.receivedCommands.contains { $0.uppercased().hasPrefix("AUTH XOAUTH2") })

        // A wrong token is refused (exit 1), and the token is in no output.
        try Data("wrong-token\n".utf8).write(to: URL(fileURLWithPath: tokenFile))
        let refused = try await LinkmailRunner.run(
            ["check", "--server", "127.0.0.1:\(pop3Listener.port)", "--token-file", tokenFile] + tls)
        #expect(refused.status == 1)
        #expect(refused.standardOutput.contains("FAIL POP3 login"), "\(refused.standardOutput)")
        #expect(!(refused.standardOutput + refused.standardError).contains("wrong-token"))
        #expect(!(fetched.standardOutput + sent.standardOutput + checked.standardOutput).contains(token))
    }
}
