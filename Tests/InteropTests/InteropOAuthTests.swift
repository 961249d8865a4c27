import Foundation
import MailAuth
import MailOAuth
import MailTesting
import MailTransport
import POP3Protocol
import SMTPSender
import TestbedSupport
import Testing

/// MailOAuth against the bench: tokens from the bench's authorization server with the device
/// flow, then POP3 and SMTP logins that Dovecot's own `oauth2` passdb checks by introspection
/// (and Postfix through that Dovecot).
///
/// Uses the bench's OAuth user (oscar, outside MAILLINK_USERS); serialized because the sending
/// test reads oscar's Maildir.
@Suite(
    "Interop: OAuth 2.0 with Dovecot's oauth2 passdb and Postfix", .serialized,
    .enabled(if: TestbedEnvironment.shouldRunInteropTests))
struct InteropOAuthTests {
    /// What the OAuth part of the bench publishes in the env file.
    struct Bench {
        let environment: TestbedEnvironment
        let issuer: String
        let clientID: String
        let user: String
        let maildir: String
        let pop3sPort: Int
        let smtpsPort: Int

        init() throws {
            let environment = try TestbedEnvironment.required()
            self.environment = environment
            func value(_ key: String) throws -> String {
                guard let value = environment.values[key], !value.isEmpty else {
                    throw TestbedEnvironment.LoadError(.missingKey, "\(key): run scripts/testbed start")
                }
                return value
            }
            issuer = try value("MAILLINK_OAUTH_ISSUER")
            clientID = try value("MAILLINK_OAUTH_CLIENT_ID")
            user = try value("MAILLINK_OAUTH_USER")
            maildir = try value("MAILLINK_OAUTH_MAILDIR")
            pop3sPort = Int(try value("MAILLINK_OAUTH_POP3S_PORT")) ?? 0
            smtpsPort = Int(try value("MAILLINK_OAUTH_SMTPS_PORT")) ?? 0
        }

        var tls: TLSPolicy { TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [environment.caFile]) }

        /// A client of the bench's authorization server, its endpoints read by RFC 8414 discovery.
        func client() async throws -> OAuthClient {
            let metadata = try await OAuthServerMetadata.discover(issuer: issuer)
            return try OAuthClient(
                metadata: metadata, registration: OAuthClientRegistration(clientID: clientID),
                requestTimeout: .seconds(60))
        }

        /// The device flow, with the test approving the user code as the user would.
        func signIn(_ client: OAuthClient) async throws -> OAuthTokens {
            let device = try await client.startDeviceAuthorization(scopes: ["mail"])
            let approval = try await HTTPClient().send(
                .form(issuer + "/device/approve", fields: [("user_code", device.userCode), ("username", user)]),
                timeout: .seconds(10))
            #expect(approval.status == 200)
            return try await client.waitForDeviceAuthorization(device)
        }

        func pop3() async throws -> POP3Client {
            try await POP3Client.connect(
                to: Endpoint(host: environment.host, port: pop3sPort, security: .tls), tls: tls,
                timeouts: .all(.seconds(30)))
        }

        func revoke(_ token: String) async throws {
            _ = try await HTTPClient().send(
                .form(issuer + "/revoke", fields: [("token", token)]), timeout: .seconds(10))
        }
    }

    @Test("a device-flow token logs in over POP3 with XOAUTH2 and with OAUTHBEARER")
    func pop3Login() async throws {
        let bench = try Bench()
        let client = try await bench.client()
        let session = try OAuthTokenSession(client: client, tokens: try await bench.signIn(client))
        for mechanism in [SASLMechanismKind.xoauth2, .oauthBearer] {
            let pop3 = try await bench.pop3()
            #expect(await pop3.capabilities.saslMechanisms.contains(mechanism.rawValue))
            try await pop3.authenticate(Credentials(user: bench.user, session: session), mechanism: mechanism)
            #expect(await pop3.isAuthenticated)
            _ = try await pop3.stat()
            #expect(try await pop3.quit())
        }
    }

    @Test("SMTP XOAUTH2 submission through Postfix and the OAuth Dovecot delivers the message")
    func smtpSend() async throws {
        let bench = try Bench()
        let client = try await bench.client()
        let session = try OAuthTokenSession(client: client, tokens: try await bench.signIn(client))
        let smtp = try await SMTPClient.connect(
            to: Endpoint(host: bench.environment.host, port: bench.smtpsPort, security: .tls),
            credentials: Credentials(user: bench.user, session: session), tlsPolicy: bench.tls,
            timeouts: .all(.seconds(30)))
        let marker = "oauth-\(UInt64.random(in: 1...UInt64.max))"
        let message = "From: \(bench.user)\r\nTo: \(bench.user)\r\nSubject: \(marker)\r\n\r\nsent with a token\r\n"
        let result = try await smtp.send(
            envelope: try SMTPEnvelope(from: bench.user, to: [bench.user]), message: Array(message.utf8))
        #expect(result.acceptedRecipients.map(\.address) == [bench.user])
        try await smtp.quit()
        var delivered = false
        for _ in 0..<200 where !delivered {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: bench.maildir + "/new")) ?? []
            delivered = files.contains { file in
                (try? String(contentsOfFile: bench.maildir + "/new/" + file, encoding: .utf8))?.contains(marker) == true
            }
            if !delivered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(delivered, "the message reached \(bench.user)'s Maildir")
    }

    @Test("a refreshed token works, and the rotated-out refresh token means sign in again")
    func refresh() async throws {
        let bench = try Bench()
        let client = try await bench.client()
        let tokens = try await bench.signIn(client)
        let rotated = RotatedTokens()
        let session = try OAuthTokenSession(client: client, tokens: tokens) { await rotated.add($0) }
        let fresh = try await session.accessToken(forceRefresh: true)
        #expect(fresh != tokens.accessToken)
        #expect(await rotated.all.count == 1)
        let pop3 = try await bench.pop3()
        try await pop3.authenticate(Credentials(user: bench.user, secret: .oauth2(.fixed(fresh))), mechanism: .xoauth2)
        #expect(await pop3.isAuthenticated)
        #expect(try await pop3.quit())
        let reused = await #expect(throws: OAuthError.self) { _ = try await client.refresh(tokens.refreshToken ?? "") }
        #expect(reused?.code == .signInRequired)
    }

    @Test("a revoked token is refused with Dovecot's own answer")
    func revoked() async throws {
        let bench = try Bench()
        let client = try await bench.client()
        let tokens = try await bench.signIn(client)
        try await bench.revoke(tokens.accessToken)
        let pop3 = try await bench.pop3()
        let error = await #expect(throws: POP3Error.self) {
            try await pop3.authenticate(
                Credentials(user: bench.user, secret: .oauth2(.fixed(tokens.accessToken))), mechanism: .xoauth2)
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.serverText?.contains("Authentication failed") == true, "\(String(describing: error))")
        #expect(!"\(String(describing: error))".contains(tokens.accessToken))
    }
}

/// Collects the refresh tokens a session reports, as a host's store would.
actor RotatedTokens {
    private(set) var all: [String] = []
    func add(_ token: String) { all.append(token) }
}
