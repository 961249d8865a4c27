import AccountLinking
import AutoDiscovery
import Foundation
import MailAuth
import MailMessage
import MailTransport
import Testing

@Suite("LinkFlow: one event in, the actions out")
struct LinkFlowTests {
    static let address = try! EmailAddress("someone@example.net")
    static let settings = ServerSettings(host: "pop.example.net", port: 995, security: .tls, user: "someone@example.net")
    static let smtp = ServerSettings(host: "smtp.example.net", port: 465, security: .tls, user: "someone@example.net")
    static let account = LinkedAccount(address: address, incoming: settings)
    static let diagnosis = LinkDiagnosis(stage: .authentication, summary: "refused", suggestion: "check the password")

    static func discovered(reasons: [String] = [], hints: ProviderHints = .none) -> DiscoveredAccountSettings {
        DiscoveredAccountSettings(incoming: settings, outgoing: smtp, origin: "test", confirmationReasons: reasons, hints: hints)
    }

    static func flow(
        manual: ServerSettings? = nil, accepts: Bool = false, canAsk: Bool = false, hints: ProviderHints = .none,
        kind: Credentials.Kind = .password
    ) -> LinkFlow {
        LinkFlow(.init(
            address: address, secretKind: kind, manualIncoming: manual, acceptsDiscoveredSettings: accepts,
            canAskForApproval: canAsk, hints: hints))
    }

    /// A flow moved to `state` by the events before the one under test.
    static func flow(after events: [LinkFlow.Event], _ base: LinkFlow = flow()) -> LinkFlow {
        var flow = base
        for event in events { _ = flow.handle(event) }
        return flow
    }

    @Test("start without settings discovers")
    func startDiscovers() {
        var flow = Self.flow()
        #expect(flow.handle(.start) == [.report(.discovering), .discover])
    }

    @Test("start with manual settings signs in at once")
    func startManual() {
        var flow = Self.flow(manual: Self.settings)
        #expect(flow.handle(.start) == [.report(.connecting("pop.example.net:995")), .signIn(Self.settings)])
    }

    @Test("an OAuth-only provider stops a password before anything is tried")
    func oauthOnly() {
        var flow = Self.flow(manual: Self.settings, hints: ProviderHints(requiresOAuth: true))
        let actions = flow.handle(.start)
        guard case .report(.needsManualSettings(let diagnosis)) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(diagnosis.stage == .oauthRequired)
        #expect(actions.last == .finish)
        #expect(!actions.contains { if case .signIn = $0 { true } else { false } })
    }

    @Test("an OAuth-only provider does not stop an OAuth token")
    func oauthOnlyWithToken() {
        var flow = Self.flow(manual: Self.settings, hints: ProviderHints(requiresOAuth: true), kind: .oauth2)
        #expect(flow.handle(.start).last == .signIn(Self.settings))
    }

    @Test("a provider without POP3 stops before discovery when the user chose POP3")
    func popUnavailable() {
        var input = LinkFlow.Input(address: Self.address, secretKind: .password, hints: ProviderHints(popUnavailable: true))
        input.incomingProtocol = .pop3
        var flow = LinkFlow(input)
        guard case .report(.needsManualSettings(let diagnosis)) = flow.handle(.start).first else {
            Issue.record("expected a diagnosis")
            return
        }
        #expect(diagnosis.stage == .popDisabled)
    }

    @Test("a provider without POP3 is discovered when the protocol is left to discovery (IMAP may be offered)")
    func popUnavailableAutomatic() {
        var flow = Self.flow(hints: ProviderHints(popUnavailable: true))
        #expect(flow.handle(.start) == [.report(.discovering), .discover])
    }

    @Test("an app-password provider says so before sign-in, with its page")
    func appPasswordAdvice() {
        var flow = Self.flow(
            manual: Self.settings,
            hints: ProviderHints(requiresAppPassword: true, appPasswordURL: "https://provider.example/app-passwords"))
        let actions = flow.handle(.start)
        guard case .report(.advice(let text)) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(text.contains("app password"))
        #expect(text.contains("https://provider.example/app-passwords"))
    }

    @Test("settings that need no approval are used at once")
    func discoveredTrusted() {
        var flow = Self.flow(after: [.start])
        let found = Self.discovered()
        #expect(flow.handle(.discovered(found)) == [
            .report(.found(found)), .report(.connecting("pop.example.net:995")), .signIn(Self.settings),
        ])
    }

    @Test("settings that need approval end the flow without a password sent, unless the host can be asked")
    func discoveredNeedsApproval() {
        var flow = Self.flow(after: [.start])
        let found = Self.discovered(reasons: ["they came from DNS"])
        #expect(flow.handle(.discovered(found)) == [.report(.found(found)), .report(.settingsNeedApproval(found)), .finish])
    }

    @Test("settings that need approval are put to the host when it can be asked")
    func discoveredAsks() {
        var flow = Self.flow(after: [.start], Self.flow(canAsk: true))
        let found = Self.discovered(reasons: ["guessed"])
        #expect(flow.handle(.discovered(found)) == [
            .report(.found(found)), .report(.awaitingApproval(found)), .askApproval(found),
        ])
    }

    @Test("settings that need approval are used when the user accepted discovered settings")
    func discoveredAccepted() {
        var flow = Self.flow(after: [.start], Self.flow(accepts: true))
        #expect(flow.handle(.discovered(Self.discovered(reasons: ["guessed"]))).last == .signIn(Self.settings))
    }

    @Test("discovery that reveals an OAuth-only provider stops a password")
    func discoveredOAuthOnly() {
        var flow = Self.flow(after: [.start])
        let actions = flow.handle(.discovered(Self.discovered(hints: ProviderHints(requiresOAuth: true))))
        #expect(actions.contains { if case .report(.needsManualSettings) = $0 { true } else { false } })
        #expect(actions.last == .finish)
    }

    @Test("a failed discovery ends with its diagnosis")
    func discoveryFailed() {
        var flow = Self.flow(after: [.start])
        #expect(flow.handle(.discoveryFailed(Self.diagnosis)) == [.report(.needsManualSettings(Self.diagnosis)), .finish])
    }

    @Test("an approval signs in")
    func approved() {
        let found = Self.discovered(reasons: ["guessed"])
        var flow = Self.flow(after: [.start, .discovered(found)], Self.flow(canAsk: true))
        #expect(flow.handle(.approval(true)).last == .signIn(Self.settings))
    }

    @Test("a declined approval ends without sign-in")
    func declined() {
        let found = Self.discovered(reasons: ["guessed"])
        var flow = Self.flow(after: [.start, .discovered(found)], Self.flow(canAsk: true))
        #expect(flow.handle(.approval(false)) == [.report(.settingsNeedApproval(found)), .finish])
    }

    @Test("once connected, the flow reports signing in")
    func connected() {
        var flow = Self.flow(after: [.start], Self.flow(manual: Self.settings))
        #expect(flow.handle(.connected) == [.report(.authenticating)])
    }

    @Test("a sign-in saves the account with the settings it used")
    func signedIn() {
        var flow = Self.flow(after: [.start, .connected], Self.flow(manual: Self.settings))
        #expect(flow.handle(.signedIn(messages: 3)) == [
            .report(.connected(messages: 3)), .save(incoming: Self.settings, outgoing: nil),
        ])
    }

    @Test("a refused sign-in at an app-password provider adds the app-password page")
    func signInRefused() {
        var flow = Self.flow(
            after: [.start, .connected],
            Self.flow(manual: Self.settings, hints: ProviderHints(requiresAppPassword: true, appPasswordURL: "https://p.example/a")))
        let actions = flow.handle(.signInFailed(Self.diagnosis))
        guard case .report(.needsManualSettings(let diagnosis)) = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(diagnosis.suggestion.contains("https://p.example/a"))
        #expect(actions.last == .finish)
    }

    @Test("a saved new account gets its confirmation e-mail")
    func saved() {
        var flow = Self.flow(after: [.start, .connected, .signedIn(messages: 0)], Self.flow(manual: Self.settings))
        #expect(flow.handle(.saved(Self.account, alreadyConfirmed: false)) == [.sendConfirmation])
    }

    @Test("a re-linked confirmed account is only updated, without a new confirmation")
    func savedConfirmed() {
        var flow = Self.flow(after: [.start, .connected, .signedIn(messages: 0)], Self.flow(manual: Self.settings))
        #expect(flow.handle(.saved(Self.account, alreadyConfirmed: true)) == [.report(.updated(Self.account)), .finish])
    }

    @Test("a failed save ends with its diagnosis")
    func saveFailed() {
        var flow = Self.flow(after: [.start, .connected, .signedIn(messages: 0)], Self.flow(manual: Self.settings))
        #expect(flow.handle(.saveFailed(Self.diagnosis)) == [.report(.needsManualSettings(Self.diagnosis)), .finish])
    }

    @Test("a sent confirmation ends the flow waiting for the owner")
    func confirmationSent() {
        var flow = Self.flow(
            after: [.start, .connected, .signedIn(messages: 0), .saved(Self.account, alreadyConfirmed: false)],
            Self.flow(manual: Self.settings))
        #expect(flow.handle(.confirmationSent) == [
            .report(.confirmationSent(to: Self.address)), .report(.awaitingConfirmation(Self.account)), .finish,
        ])
        #expect(flow.state == .finished)
    }

    @Test("a failed confirmation e-mail ends as 'confirmation not sent'")
    func confirmationFailed() {
        var flow = Self.flow(
            after: [.start, .connected, .signedIn(messages: 0), .saved(Self.account, alreadyConfirmed: false)],
            Self.flow(manual: Self.settings))
        #expect(flow.handle(.confirmationFailed(Self.diagnosis)) == [.report(.confirmationNotSent(Self.diagnosis)), .finish])
    }
}
