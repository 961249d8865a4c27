import AccountLinking
import AutoDiscovery
import FolderRouting
import Foundation
import MailAuth
import MailMessage
import MailOAuth
import MailTesting
import MailTransport
import Synchronization
import Testing

/// An OAuth clock on real time whose waits return at once, approving (or denying) every pending
/// device code as the user would at the verification page.
struct ApprovingClock: OAuthClock {
    let server: FakeAuthorizationServer
    var denies = false
    func now() -> Date { Date() }
    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        for code in server.pendingUserCodes {
            if denies { server.deny(userCode: code) } else { server.approve(userCode: code) }
        }
    }
}

/// A linker whose POP3 server (in memory) accepts only tokens of a fake authorization server on
/// loopback, with the account's grants in an ``OAuthCredentialStore`` over memory.
struct OAuthLinkerFixture {
    static let linked = LinkerFixture.linked
    let authorization: FakeAuthorizationServer
    let server: FakePOP3Server
    let sender = RecordingSender()
    let store = InMemoryMailStore()
    let grants: any OAuthGrantStore = InMemoryCredentialStore()
    let configuration: AccountLinker.Configuration

    /// `hints` makes the provider's entry from the fake's issuer (by default: OAuth required at it).
    init(accessTokenLifetime: Int = 3600, hints: ((_ issuer: String) -> ProviderHints)? = nil) throws {
        var authConfiguration = FakeAuthorizationServer.Configuration()
        authConfiguration.user = Self.linked
        authConfiguration.deviceInterval = 1
        authConfiguration.accessTokenLifetime = accessTokenLifetime
        authorization = try FakeAuthorizationServer(configuration: authConfiguration)
        var pop3 = FakePOP3Configuration()
        pop3.saslMechanisms = ["XOAUTH2"]
        server = FakePOP3Server(
            configuration: pop3, accounts: SASLServerAccounts(tokenValidator: authorization.tokenValidator))
        var configuration = AccountLinker.Configuration.inMemory(
            primaryAddress: try EmailAddress("me@primary.example"), confirmationSender: sender,
            confirmationBaseURL: "https://mail.primary.example/confirm", store: store)
        configuration.connector = server.connector
        configuration.credentials = OAuthCredentialStore(grants: grants)
        let issuer = authorization.issuer
        let providerHints =
            hints?(issuer)
            ?? ProviderHints(oauth: ProviderOAuth(isRequired: true, issuer: issuer, pop3Scopes: ["mail"]))
        configuration.providerHints = { _ in providerHints }
        self.configuration = configuration
    }

    var incoming: ServerSettings {
        ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: Self.linked)
    }

    func signIn(_ method: AccountLinker.OAuthSignIn.Method = .device, denies: Bool = false) -> AccountLinker.OAuthSignIn
    {
        AccountLinker.OAuthSignIn(
            method: method, registration: OAuthClientRegistration(clientID: authorization.configuration.clientID),
            server: .issuer(authorization.issuer), scopes: ["mail"], timeout: .seconds(60),
            clock: ApprovingClock(server: authorization, denies: denies))
    }

    func link(_ linker: AccountLinker, _ signIn: AccountLinker.OAuthSignIn) async throws -> [LinkStep] {
        var steps: [LinkStep] = []
        for await step in await linker.link(
            address: try EmailAddress(Self.linked), oauth: signIn, options: .init(incoming: incoming))
        {
            steps.append(step)
        }
        return steps
    }

    /// Links with the device flow, confirms, and syncs once; `messages` wait on the server.
    func confirmedLinker(messages: Int = 2) async throws -> AccountLinker {
        for number in 1...max(1, messages) where messages > 0 {
            server.deliver(
                FakePOP3Message(uid: "m\(number)", text: "To: \(Self.linked)\r\nSubject: \(number)\r\n\r\nbody\r\n"),
                to: Self.linked)
        }
        let linker = AccountLinker(configuration: configuration)
        let steps = try await link(linker, signIn())
        guard case .awaitingConfirmation? = steps.last else { throw FixtureError("not linked: \(steps)") }
        guard let text = sender.texts.last,
            let link = text.replacingOccurrences(of: "=\r\n", with: "").split(whereSeparator: \.isWhitespace)
                .first(where: { $0.hasPrefix("https://mail.primary.example/confirm?token=") })
        else { throw FixtureError("no confirmation link") }
        _ = try await linker.confirm(String(link))
        await linker.waitForPendingSyncs()
        return linker
    }
}

/// A connector that records where it was asked to go and refuses.
final class RefusingRecorder: MailConnector, Sendable {
    private let asked = Mutex<[String]>([])
    var endpoints: [String] { asked.withLock { $0 } }
    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        asked.withLock { $0.append("\(endpoint.host):\(endpoint.port)") }
        throw TransportError(.connectionRefused, "refused by the test")
    }
}

/// Grants that take a while to read: each read waits until `readers` reads have begun, so
/// concurrent first uses overlap for certain.
actor SlowGrantStore: OAuthGrantStore {
    let inner: any OAuthGrantStore
    let readers: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []
    init(_ inner: any OAuthGrantStore, readers: Int) {
        self.inner = inner
        self.readers = readers
    }
    func grant(for account: AccountID) async throws -> OAuthGrant? {
        if waiting.count + 1 < readers {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            waiting.forEach { $0.resume() }
            waiting = []
        }
        return try await inner.grant(for: account)
    }
    func setGrant(_ grant: OAuthGrant?, for account: AccountID) async throws {
        try await inner.setGrant(grant, for: account)
    }
    func secret(for account: AccountID) async throws -> Credentials.Secret? { try await inner.secret(for: account) }
    func setSecret(_ secret: Credentials.Secret?, for account: AccountID) async throws {
        try await inner.setSecret(secret, for: account)
    }
}

@Suite("Linking with OAuth 2.0: the flow, the stored grant, refresh, revocation and sign-in again")
struct OAuthLinkingTests {
    static let address = try! EmailAddress(LinkerFixture.linked)

    @Test("the device flow shows the code, signs in with the token, stores the refresh token, confirms and syncs")
    func deviceFlowLinksAndSyncs() async throws {
        let fixture = try OAuthLinkerFixture()
        fixture.server.deliver(
            FakePOP3Message(uid: "m1", text: "To: \(OAuthLinkerFixture.linked)\r\nSubject: hi\r\n\r\nbody\r\n"),
            to: OAuthLinkerFixture.linked)
        let linker = AccountLinker(configuration: fixture.configuration)
        let steps = try await fixture.link(linker, fixture.signIn())
        let prompts = steps.compactMap { step -> OAuthPrompt? in if case .authorize(let p) = step { p } else { nil } }
        #expect(prompts.count == 1)
        guard case .enterCode(let code, let uri, _)? = prompts.first else {
            Issue.record("no user code in \(steps)")
            return
        }
        #expect(!code.isEmpty && uri.hasPrefix(fixture.authorization.issuer))
        #expect(steps.contains(.authorized))
        #expect(steps.contains(.connected(messages: 1)))
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("flow ended with \(String(describing: steps.last))")
            return
        }
        let grant = try #require(try await fixture.grants.grant(for: AccountID(Self.address)))
        #expect(grant.clientID == fixture.authorization.configuration.clientID)
        #expect(grant.tokenEndpoint.hasPrefix(fixture.authorization.issuer))
        #expect(grant.scopes == ["mail"])
        #expect(!steps.map(\.description).joined().contains(grant.refreshToken))
        #expect(fixture.authorization.counters.tokenRequests["device_code"] ?? 0 >= 1)

        let link = try #require(
            fixture.sender.texts.last?.replacingOccurrences(of: "=\r\n", with: "")
                .split(whereSeparator: \.isWhitespace).first {
                    $0.hasPrefix("https://mail.primary.example/confirm?token=")
                })
        let account = try await linker.confirm(String(link))
        await linker.waitForPendingSyncs()
        guard case .success(let report)? = await linker.lastSync[account.id] else {
            Issue.record("sync: \(String(describing: await linker.lastSync[account.id]))")
            return
        }
        #expect(report.fetched == 1)
        // The link's access token was still fresh: no refresh was needed.
        #expect(fixture.authorization.counters.tokenRequests["refresh_token"] == nil)
    }

    @Test("the browser flow reports the URL to open; the redirect completes the sign-in")
    func browserFlow() async throws {
        let fixture = try OAuthLinkerFixture()
        let linker = AccountLinker(configuration: fixture.configuration)
        let authorization = fixture.authorization
        var signIn = fixture.signIn(.browser)
        signIn.clock = SystemOAuthClock()  // the wait for the redirect is real
        var steps: [LinkStep] = []
        for await step in await linker.link(
            address: Self.address, oauth: signIn, options: .init(incoming: fixture.incoming))
        {
            steps.append(step)
            if case .authorize(.openBrowser(let url)) = step {
                Task { _ = try? await authorization.actAsBrowser(opening: url) }
            }
        }
        #expect(
            steps.contains {
                if case .authorize(.openBrowser(let url)) = $0 { url.contains("code_challenge=") } else { false }
            })
        #expect(steps.contains(.authorized))
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("flow ended with \(String(describing: steps.last))")
            return
        }
        #expect(try await fixture.grants.grant(for: AccountID(Self.address)) != nil)
    }

    @Test("the provider's entry is enough: its endpoints are used as they are, its issuer alone is discovered")
    func serverFromProviderEntry() async throws {
        for named in [true, false] {
            let probe = try OAuthLinkerFixture { issuer in
                ProviderHints(
                    requiresOAuth: true,
                    oauth: ProviderOAuth(
                        isRequired: true, issuer: issuer, tokenURL: named ? issuer + "/token" : nil,
                        deviceAuthorizationURL: named ? issuer + "/device" : nil, pop3Scopes: ["pop"],
                        commonScopes: ["offline"]))
            }
            var signIn = probe.signIn()
            signIn.server = .provider
            signIn.scopes = nil  // the entry's: POP3 and SMTP together, then the common ones
            let linker = AccountLinker(configuration: probe.configuration)
            let steps = try await probe.link(linker, signIn)
            guard case .awaitingConfirmation? = steps.last else {
                Issue.record("flow ended with \(String(describing: steps.last))")
                return
            }
            #expect(probe.authorization.counters.metadata == (named ? 0 : 1))
            #expect(try await probe.grants.grant(for: AccountID(Self.address))?.scopes == ["pop", "offline"])
        }
    }

    @Test("an Outlook.com address signs in at Microsoft's built-in endpoints, without a metadata request")
    func microsoftFromTable() async throws {
        let fixture = try OAuthLinkerFixture()
        var configuration = fixture.configuration
        configuration.providerHints = SettingsDiscovery.bundledHints
        let linker = AccountLinker(configuration: configuration)
        let refusing = RefusingRecorder()
        let signIn = AccountLinker.OAuthSignIn(
            method: .device, registration: OAuthClientRegistration(clientID: "host-app-id"),
            http: HTTPClient(connector: refusing))
        var steps: [LinkStep] = []
        for await step in await linker.link(
            address: try EmailAddress("someone@hotmail.com"), oauth: signIn,
            options: .init(
                incoming: ServerSettings(
                    host: "outlook.office365.com", port: 995, security: .tls, user: "someone@hotmail.com")))
        {
            steps.append(step)
        }
        // The device authorization went straight to Microsoft (no metadata request first), and
        // its failure here is the network's, retried as such, not a refused sign-in.
        #expect(refusing.endpoints == ["login.microsoftonline.com:443"])
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("flow ended with \(String(describing: steps.last))")
            return
        }
        #expect(diagnosis.stage == .connection && diagnosis.isTransient, "\(diagnosis)")
        #expect(fixture.server.sessionCount == 0)
    }

    @Test("a denied sign-in ends the flow with a diagnosis; nothing is saved and no connection is made")
    func denied() async throws {
        let fixture = try OAuthLinkerFixture()
        let linker = AccountLinker(configuration: fixture.configuration)
        let steps = try await fixture.link(linker, fixture.signIn(denies: true))
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("flow ended with \(String(describing: steps.last))")
            return
        }
        #expect(diagnosis.summary.contains("access_denied"))
        #expect(!steps.contains { if case .connecting = $0 { true } else { false } })
        #expect(try await linker.accounts().isEmpty)
        #expect(try await fixture.grants.grant(for: AccountID(Self.address)) == nil)
    }

    @Test("without a client id the flow stops and says how to register an application")
    func missingClientID() async throws {
        let fixture = try OAuthLinkerFixture()
        var signIn = fixture.signIn()
        signIn.registration = OAuthClientRegistration(clientID: " ")
        let steps = try await fixture.link(AccountLinker(configuration: fixture.configuration), signIn)
        guard case .needsManualSettings(let diagnosis)? = steps.last else {
            Issue.record("flow ended with \(String(describing: steps.last))")
            return
        }
        #expect(diagnosis.description.contains("register"))
        #expect(fixture.authorization.counters.deviceAuthorizations == 0)
    }

    @Test("a token about to expire is refreshed before the sign-in; the rotated refresh token is stored")
    func refreshBeforeExpiry() async throws {
        // Tokens live 30 s, less than the 60 s margin: every use needs a fresh one.
        let fixture = try OAuthLinkerFixture(accessTokenLifetime: 30)
        let linker = try await fixture.confirmedLinker()
        let id = AccountID(Self.address)
        let refreshes = fixture.authorization.counters.tokenRequests["refresh_token"] ?? 0
        #expect(refreshes >= 1)
        let afterFirst = try #require(try await fixture.grants.grant(for: id)).refreshToken
        fixture.server.deliver(
            FakePOP3Message(uid: "m9", text: "To: \(OAuthLinkerFixture.linked)\r\nSubject: 9\r\n\r\nbody\r\n"),
            to: OAuthLinkerFixture.linked)
        guard case .success(let report) = await linker.sync(Self.address) else {
            Issue.record("second sync failed: \(String(describing: await linker.lastSync[id]))")
            return
        }
        #expect(report.fetched == 1)
        #expect(fixture.authorization.counters.tokenRequests["refresh_token"] == refreshes + 1)
        let afterSecond = try #require(try await fixture.grants.grant(for: id)).refreshToken
        #expect(afterSecond != afterFirst, "the rotated refresh token was written back")
    }

    @Test("concurrent uses of one account share one refresh")
    func oneRefreshAtATime() async throws {
        let fixture = try OAuthLinkerFixture()
        _ = try await fixture.confirmedLinker(messages: 0)
        fixture.authorization.expireAccessTokens()
        let credentials = fixture.configuration.credentials
        let id = AccountID(Self.address)
        guard case .oauth2(let provider)? = try await credentials.secret(for: id) else {
            Issue.record("no token provider")
            return
        }
        let before = fixture.authorization.counters.tokenRequests["refresh_token"] ?? 0
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 { group.addTask { try await provider.accessToken(refresh: true) } }
            var tokens: Set<String> = []
            for try await token in group { tokens.insert(token) }
            #expect(tokens.count == 1)
        }
        #expect(fixture.authorization.counters.tokenRequests["refresh_token"] == before + 1)
    }

    @Test("a new process's first uses of an account, at once, share one session and one refresh")
    func firstUsesShareOneSession() async throws {
        let fixture = try OAuthLinkerFixture()
        _ = try await fixture.confirmedLinker(messages: 0)
        // A store as in a process started later (no session yet), over grants that take a while
        // to read, as a keychain does: every first use is waiting for the grant at once.
        let id = AccountID(Self.address)
        let restarted = OAuthCredentialStore(grants: SlowGrantStore(fixture.grants, readers: 8))
        let before = fixture.authorization.counters.tokenRequests["refresh_token"] ?? 0
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    guard case .oauth2(let provider)? = try await restarted.secret(for: id) else {
                        throw FixtureError("no token provider")
                    }
                    return try await provider.accessToken()
                }
            }
            var tokens: Set<String> = []
            for try await token in group { tokens.insert(token) }
            #expect(tokens.count == 1)
        }
        #expect(fixture.authorization.counters.tokenRequests["refresh_token"] == before + 1)
    }

    @Test("a refresh token another process rotated meanwhile is read again from the store, not taken for a dead grant")
    func rotatedElsewhere() async throws {
        let fixture = try OAuthLinkerFixture()
        _ = try await fixture.confirmedLinker(messages: 0)
        let id = AccountID(Self.address)
        // Two processes over one store of grants.
        let first = OAuthCredentialStore(grants: fixture.grants)
        let second = OAuthCredentialStore(grants: fixture.grants)
        guard case .oauth2(let late)? = try await second.secret(for: id),
            case .oauth2(let early)? = try await first.secret(for: id)
        else {
            Issue.record("no token providers")
            return
        }
        _ = try await early.accessToken(refresh: true)  // rotates the refresh token, writes it back
        let token = try await late.accessToken(refresh: true)  // its refresh token is spent by now
        #expect(fixture.authorization.user(ofAccessToken: token) == OAuthLinkerFixture.linked)
    }

    @Test("a token the server refuses is refreshed once and the sync goes on")
    func refusedTokenRefreshed() async throws {
        let fixture = try OAuthLinkerFixture()
        let linker = try await fixture.confirmedLinker(messages: 1)
        fixture.authorization.expireAccessTokens()
        guard case .success = await linker.sync(Self.address) else {
            Issue.record("sync failed: \(String(describing: await linker.lastSync[AccountID(Self.address)]))")
            return
        }
        #expect(fixture.authorization.counters.tokenRequests["refresh_token"] == 1)
    }

    @Test("a revoked grant: sign in again (not a password problem), the scheduler stops, a new sign-in clears it")
    func revokedGrant() async throws {
        let fixture = try OAuthLinkerFixture()
        let linker = try await fixture.confirmedLinker(messages: 1)
        fixture.authorization.revokeAll(user: OAuthLinkerFixture.linked)
        let log = await EventLog(linker)
        let clock = VirtualSchedulerClock()
        let scheduler = try await linker.startScheduler(clock: clock, jitter: { 0 })
        await scheduler.checkNow()
        let event = try await log.wait(where: \.isNeedsAttention)
        guard case .needsAttention(let diagnosis) = event.kind else { return }
        #expect(diagnosis.stage == .signInAgain)
        // The POP3 server's own refusal of the old token is kept.
        #expect(diagnosis.serverText?.contains("authentication failed") == true, "\(diagnosis)")
        #expect(!diagnosis.description.lowercased().contains("password and"))
        #expect(!diagnosis.suggestion.lowercased().contains("check the user name and password"))
        #expect(try await linker.account(Self.address)?.attention == .signInAgain)
        #expect(await scheduler.schedule(of: Self.address) == nil)
        let refreshes = fixture.authorization.counters.tokenRequests["refresh_token"] ?? 0
        #expect(refreshes == 1)
        // Time passes: nothing retries the dead grant.
        clock.advance(by: .seconds(7 * 24 * 3600))
        await scheduler.checkNow()
        try await Task.sleep(for: .milliseconds(200))
        #expect(fixture.authorization.counters.tokenRequests["refresh_token"] == refreshes)
        #expect(log.count(where: \.isStarted) == 1)

        // Signing in again (a new link with OAuth) clears the mark and the account syncs again.
        let steps = try await fixture.link(linker, fixture.signIn())
        #expect(steps.last.map { if case .updated = $0 { true } else { false } } == true, "\(steps)")
        #expect(try await linker.account(Self.address)?.attention == nil)
        _ = try await log.wait(where: \.isFinished)
        await scheduler.stop()
    }

    @Test("a host's own token provider: linked with it, and its signInRequired error means sign in again")
    func hostTokenProvider() async throws {
        let fixture = try OAuthLinkerFixture()
        fixture.server.deliver(
            FakePOP3Message(uid: "m1", text: "To: \(OAuthLinkerFixture.linked)\r\nSubject: 1\r\n\r\nbody\r\n"),
            to: OAuthLinkerFixture.linked)
        let authorization = fixture.authorization
        // The host signed in by itself (here: the fake's device flow, outside the linker).
        let client = try OAuthClient(
            metadata: try await OAuthServerMetadata.discover(issuer: authorization.issuer),
            registration: .init(clientID: authorization.configuration.clientID),
            clock: ApprovingClock(server: authorization))
        let tokens = try await client.waitForDeviceAuthorization(
            try await client.startDeviceAuthorization(scopes: ["mail"]))
        let provider = OAuth2TokenProvider { _ in
            guard authorization.user(ofAccessToken: tokens.accessToken) != nil else {
                throw OAuthError(.signInRequired)
            }
            return tokens.accessToken
        }
        let linker = AccountLinker(configuration: fixture.configuration)
        var steps: [LinkStep] = []
        for await step in await linker.link(
            address: Self.address, secret: .oauth2(provider), options: .init(incoming: fixture.incoming))
        {
            steps.append(step)
        }
        #expect(!steps.contains { if case .authorize = $0 { true } else { false } })
        guard case .awaitingConfirmation? = steps.last else {
            Issue.record("flow ended with \(String(describing: steps.last))")
            return
        }
        authorization.revokeAll(user: OAuthLinkerFixture.linked)
        let link = try #require(
            fixture.sender.texts.last?.replacingOccurrences(of: "=\r\n", with: "")
                .split(whereSeparator: \.isWhitespace).first {
                    $0.hasPrefix("https://mail.primary.example/confirm?token=")
                })
        _ = try await linker.confirm(String(link))
        await linker.waitForPendingSyncs()
        guard case .failure(let error)? = await linker.lastSync[AccountID(Self.address)] else {
            Issue.record("the sync did not fail")
            return
        }
        #expect(error.diagnosis.stage == .signInAgain)
    }
}
