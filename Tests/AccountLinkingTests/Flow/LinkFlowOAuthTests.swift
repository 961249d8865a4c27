import AccountLinking
import AutoDiscovery
import Foundation
import MailAuth
import MailMessage
import MailTransport
import Testing

@Suite("LinkFlow with an OAuth 2.0 sign-in: one event in, the actions out")
struct LinkFlowOAuthTests {
    static let settings = LinkFlowTests.settings
    static let oauth = ProviderOAuth(
        isRequired: true, issuer: "https://login.example.net", pop3Scopes: ["pop"], commonScopes: ["offline_access"])
    static let hints = ProviderHints(requiresOAuth: true, oauth: oauth)
    static let prompt = OAuthPrompt.enterCode(
        userCode: "ABCD-EFGH", verificationURI: "https://login.example.net/device", verificationURIComplete: nil)

    static func flow(
        manual: ServerSettings? = nil, hints: ProviderHints = hints, serverGiven: Bool = false
    ) -> LinkFlow {
        LinkFlow(
            .init(
                address: LinkFlowTests.address, secretKind: .oauth2, manualIncoming: manual, hints: hints,
                authorizesWithOAuth: true, oauthServerGiven: serverGiven))
    }

    @Test("discovered settings of a provider with OAuth: the sign-in runs before any connection")
    func discoveredAuthorizes() {
        var flow = LinkFlowOAuthTests.flow()
        #expect(flow.handle(.start) == [.report(.discovering), .discover])
        let found = LinkFlowTests.discovered(hints: Self.hints)
        #expect(flow.handle(.discovered(found)) == [.report(.found(found)), .authorize(Self.hints)])
    }

    @Test("the provider's OAuth facts found by discovery reach the sign-in")
    func hintsFromDiscovery() {
        var flow = LinkFlowOAuthTests.flow(hints: .none)
        _ = flow.handle(.start)
        let found = LinkFlowTests.discovered(hints: Self.hints)
        let actions = flow.handle(.discovered(found))
        guard case .authorize(let hints)? = actions.last else {
            Issue.record("\(actions)")
            return
        }
        #expect(hints.oauth == Self.oauth)
    }

    @Test("the prompt is shown; tokens lead to the connection test")
    func promptThenSignIn() {
        var flow = LinkFlowOAuthTests.flow(manual: Self.settings)
        #expect(flow.handle(.start) == [.authorize(Self.hints)])
        #expect(flow.handle(.authorizationPrompt(Self.prompt)) == [.report(.authorize(Self.prompt))])
        #expect(
            flow.handle(.authorized) == [
                .report(.authorized), .report(.connecting("pop.example.net:995")), .signIn(Self.settings),
            ])
    }

    @Test("a failed sign-in ends the flow without a connection")
    func authorizationFailed() {
        var flow = LinkFlowOAuthTests.flow(manual: Self.settings)
        _ = flow.handle(.start)
        let diagnosis = LinkDiagnosis(stage: .authentication, summary: "access_denied", suggestion: "start again")
        #expect(flow.handle(.authorizationFailed(diagnosis)) == [.report(.needsManualSettings(diagnosis)), .finish])
        #expect(flow.state == .finished)
    }

    @Test("a provider without OAuth stops the sign-in before anything is sent, unless the host names a server")
    func noOAuthServer() {
        var flow = LinkFlowOAuthTests.flow(manual: Self.settings, hints: .none)
        let actions = flow.handle(.start)
        guard case .report(.needsManualSettings(let diagnosis))? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(diagnosis.summary.contains("no OAuth 2.0 authorization server"))
        #expect(actions.last == .finish)
        var given = LinkFlowOAuthTests.flow(manual: Self.settings, hints: .none, serverGiven: true)
        #expect(given.handle(.start) == [.authorize(.none)])
    }

    @Test("a settings approval comes before the sign-in")
    func approvalFirst() {
        var flow = LinkFlow(
            .init(
                address: LinkFlowTests.address, secretKind: .oauth2, canAskForApproval: true, hints: Self.hints,
                authorizesWithOAuth: true))
        _ = flow.handle(.start)
        let found = LinkFlowTests.discovered(reasons: ["from DNS"], hints: Self.hints)
        let actions = flow.handle(.discovered(found))
        #expect(actions.last == .askApproval(found))
        #expect(flow.handle(.approval(true)) == [.authorize(Self.hints)])
    }

    @Test("a password at a provider that also takes OAuth is told so before sign-in")
    func passwordAdviceMentionsOAuth() {
        var hints = ProviderHints(requiresAppPassword: true)
        hints.oauth = ProviderOAuth(isRequired: false, issuer: "https://accounts.example.net", commonScopes: ["mail"])
        var flow = LinkFlowTests.flow(manual: Self.settings, hints: hints)
        let actions = flow.handle(.start)
        guard case .report(.advice(let text))? = actions.first else {
            Issue.record("\(actions)")
            return
        }
        #expect(text.contains("app password") && text.contains("OAuth"))
    }

    @Test("a password at an OAuth-only provider says how to link with OAuth")
    func oauthRequiredSaysHow() {
        var flow = LinkFlowTests.flow(manual: Self.settings, hints: Self.hints)
        guard case .report(.needsManualSettings(let diagnosis))? = flow.handle(.start).first else {
            Issue.record("no diagnosis")
            return
        }
        #expect(diagnosis.suggestion.contains("link(address:oauth:options:)"))
    }
}
