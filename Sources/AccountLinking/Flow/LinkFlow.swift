import AutoDiscovery
import MailAuth
import MailMessage

/// The linking flow as a pure state machine: an event in, the actions to take out. No I/O, no
/// clock; ``AccountLinker`` performs each action and feeds its outcome back as the next event.
///
/// ```
/// start ─▶ (manual settings) ─────────────────────────────┐         ┌─ (OAuth) authorize ─▶ authorized ─┐
///   └────▶ discover ─▶ discovered ─▶ (needs approval?) ─▶ approve ─┴──────────────────────────────────┴▶ signIn ─▶ signedIn ─▶ save ─▶ saved
///                                                                                               │
///        awaitingConfirmation ◀─ confirmationSent ◀─ sendConfirmation ◀───── (not yet confirmed) ┤
///        updated ◀──────────────────────────────────────────────────────── (already confirmed) ┘
/// ```
///
/// Its rules: a password is never sent to settings that need the user's approval until the host
/// approves them; an OAuth-only provider stops before any password is tried; an app-password
/// provider says so before sign-in and again after a refused sign-in; nothing is saved before
/// sign-in succeeded; a failed confirmation e-mail leaves the account as "confirmation not sent".
/// With OAuth, the provider's sign-in (browser or device code) runs once the settings are known
/// and approved, before the connection test; a provider that offers no OAuth (and no
/// authorization server given by the host) stops the flow before anything is sent.
public struct LinkFlow: Sendable {
    /// What the flow knows when it starts.
    public struct Input: Sendable, Hashable {
        /// The address being linked.
        public var address: EmailAddress
        /// Password or OAuth 2.0.
        public var secretKind: Credentials.Kind
        /// Settings given by hand; nil discovers them.
        public var manualIncoming: ServerSettings?
        /// The outgoing server given by hand.
        public var manualOutgoing: ServerSettings?
        /// Whether discovered settings that need approval may be used without asking.
        public var acceptsDiscoveredSettings: Bool
        /// Whether the host can be asked to approve discovered settings during the flow.
        public var canAskForApproval: Bool
        /// What the bundled table says about the provider.
        public var hints: ProviderHints
        /// The incoming protocol the user chose; nil lets discovery choose (IMAP when offered).
        public var incomingProtocol: IncomingProtocol?
        /// Whether the flow obtains the secret itself with an OAuth 2.0 sign-in
        /// (``Action/authorize(_:)``) before the connection test.
        public var authorizesWithOAuth: Bool
        /// Whether the host named the authorization server itself (so the provider's entry
        /// need not name one).
        public var oauthServerGiven: Bool

        /// The input of one flow.
        public init(
            address: EmailAddress, secretKind: Credentials.Kind, manualIncoming: ServerSettings? = nil,
            manualOutgoing: ServerSettings? = nil, acceptsDiscoveredSettings: Bool = false,
            canAskForApproval: Bool = false, hints: ProviderHints = .none, authorizesWithOAuth: Bool = false,
            oauthServerGiven: Bool = false
        ) {
            self.address = address
            self.secretKind = secretKind
            self.manualIncoming = manualIncoming
            self.manualOutgoing = manualOutgoing
            self.acceptsDiscoveredSettings = acceptsDiscoveredSettings
            self.canAskForApproval = canAskForApproval
            self.hints = hints
            self.authorizesWithOAuth = authorizesWithOAuth
            self.oauthServerGiven = oauthServerGiven
        }
    }

    /// What happened.
    public enum Event: Sendable, Equatable {
        /// The flow begins.
        case start
        /// Discovery found settings.
        case discovered(DiscoveredAccountSettings)
        /// Discovery failed.
        case discoveryFailed(LinkDiagnosis)
        /// The host approved (true) or declined (false) the settings it was shown.
        case approval(Bool)
        /// The connection opened (TCP, TLS, greeting).
        case connected
        /// Signed in; the mailbox holds this many messages.
        case signedIn(messages: Int)
        /// Connecting or signing in failed.
        case signInFailed(LinkDiagnosis)
        /// The OAuth sign-in is waiting for the user: a page to open or a code to enter.
        case authorizationPrompt(OAuthPrompt)
        /// The OAuth sign-in returned tokens.
        case authorized
        /// The OAuth sign-in failed (denied, expired, timed out, or the server refused).
        case authorizationFailed(LinkDiagnosis)
        /// The account was saved; `alreadyConfirmed` when it was a confirmed account re-linked.
        case saved(LinkedAccount, alreadyConfirmed: Bool)
        /// Saving failed.
        case saveFailed(LinkDiagnosis)
        /// The confirmation e-mail was accepted by the outgoing server.
        case confirmationSent
        /// Sending the confirmation e-mail failed.
        case confirmationFailed(LinkDiagnosis)
    }

    /// What to do next.
    public enum Action: Sendable, Equatable {
        /// Show a step to the person watching.
        case report(LinkStep)
        /// Run discovery for the address.
        case discover
        /// Ask the host to approve these settings; answer with ``Event/approval(_:)``.
        case askApproval(DiscoveredAccountSettings)
        /// Run the OAuth 2.0 sign-in with the provider these hints describe; answer with
        /// `authorizationPrompt` (as often as needed), then `authorized` or `authorizationFailed`.
        case authorize(ProviderHints)
        /// Connect to and sign in at `incoming`; answer with `connected`, then `signedIn` or `signInFailed`.
        case signIn(ServerSettings)
        /// Save the account with these settings and store the secret; answer with `saved` or `saveFailed`.
        case save(incoming: ServerSettings, outgoing: ServerSettings?)
        /// Send the confirmation e-mail; answer with `confirmationSent` or `confirmationFailed`.
        case sendConfirmation
        /// The flow is over.
        case finish
    }

    /// Where the flow is.
    public enum State: Sendable, Equatable {
        case idle
        case discovering
        case awaitingApproval(DiscoveredAccountSettings)
        case authorizing(ServerSettings, outgoing: ServerSettings?)
        case signingIn(ServerSettings, outgoing: ServerSettings?)
        case saving
        case sendingConfirmation(LinkedAccount)
        case finished
    }

    /// The flow's input.
    public let input: Input
    /// Where it is now.
    public private(set) var state: State = .idle
    private var hints: ProviderHints

    /// A flow for `input`, not yet started.
    public init(_ input: Input) {
        self.input = input
        hints = input.hints
    }

    private var advice: ProviderAdvice { ProviderAdvice(hints) }
    private var providerName: String { input.address.domain }

    /// Takes one event and returns the actions to perform, in order.
    public mutating func handle(_ event: Event) -> [Action] {
        switch (state, event) {
        case (.idle, .start):
            if input.secretKind == .password, hints.requiresOAuth {
                return fail(advice.oauthRequired(provider: providerName))
            }
            if let manual = input.manualIncoming { return proceed(manual, outgoing: input.manualOutgoing) }
            if hints.popUnavailable, input.incomingProtocol == .pop3 { return fail(advice.noPOP3(provider: providerName)) }
            state = .discovering
            return [.report(.discovering), .discover]

        case (.discovering, .discovered(let settings)):
            hints = Self.merge(hints, settings.hints)
            if input.secretKind == .password, hints.requiresOAuth {
                return [.report(.found(settings))] + fail(advice.oauthRequired(provider: providerName))
            }
            let outgoing = input.manualOutgoing ?? settings.outgoing
            if !settings.requiresConfirmation || input.acceptsDiscoveredSettings {
                return [.report(.found(settings))] + proceed(settings.incoming, outgoing: outgoing)
            }
            guard input.canAskForApproval else {
                state = .finished
                return [.report(.found(settings)), .report(.settingsNeedApproval(settings)), .finish]
            }
            state = .awaitingApproval(settings)
            return [.report(.found(settings)), .report(.awaitingApproval(settings)), .askApproval(settings)]

        case (.discovering, .discoveryFailed(let diagnosis)):
            return fail(diagnosis)

        case (.awaitingApproval(let settings), .approval(let approved)):
            guard approved else {
                state = .finished
                return [.report(.settingsNeedApproval(settings)), .finish]
            }
            return proceed(settings.incoming, outgoing: input.manualOutgoing ?? settings.outgoing)

        case (.authorizing, .authorizationPrompt(let prompt)):
            return [.report(.authorize(prompt))]

        case (.authorizing(let incoming, let outgoing), .authorized):
            return [.report(.authorized)] + signIn(incoming, outgoing: outgoing)

        case (.authorizing, .authorizationFailed(let diagnosis)):
            return fail(diagnosis)

        case (.signingIn, .connected):
            return [.report(.authenticating)]

        case (.signingIn(let incoming, let outgoing), .signedIn(let count)):
            state = .saving
            return [.report(.connected(messages: count)), .save(incoming: incoming, outgoing: outgoing)]

        case (.signingIn, .signInFailed(let diagnosis)):
            return fail(advice.refine(diagnosis))

        case (.saving, .saved(let account, let alreadyConfirmed)):
            if alreadyConfirmed {
                state = .finished
                return [.report(.updated(account)), .finish]
            }
            state = .sendingConfirmation(account)
            return [.sendConfirmation]

        case (.saving, .saveFailed(let diagnosis)):
            return fail(diagnosis)

        case (.sendingConfirmation(let account), .confirmationSent):
            state = .finished
            return [.report(.confirmationSent(to: account.address)), .report(.awaitingConfirmation(account)), .finish]

        case (.sendingConfirmation, .confirmationFailed(let diagnosis)):
            state = .finished
            return [.report(.confirmationNotSent(diagnosis)), .finish]

        default:
            preconditionFailure("LinkFlow: event \(event) in state \(state)")
        }
    }

    /// The sign-in for settings that are known and approved: the OAuth sign-in first when the
    /// flow obtains its secret that way.
    private mutating func proceed(_ incoming: ServerSettings, outgoing: ServerSettings?) -> [Action] {
        guard input.authorizesWithOAuth else { return signIn(incoming, outgoing: outgoing) }
        guard hints.offersOAuth || input.oauthServerGiven else { return fail(advice.noOAuth(provider: providerName)) }
        state = .authorizing(incoming, outgoing: outgoing)
        return [.authorize(hints)]
    }

    private mutating func signIn(_ incoming: ServerSettings, outgoing: ServerSettings?) -> [Action] {
        state = .signingIn(incoming, outgoing: outgoing)
        var actions: [Action] = []
        if input.secretKind == .password, let note = advice.beforeSignIn { actions.append(.report(.advice(note))) }
        actions.append(.report(.connecting("\(incoming.host):\(incoming.port)")))
        actions.append(.signIn(incoming))
        return actions
    }

    private mutating func fail(_ diagnosis: LinkDiagnosis) -> [Action] {
        state = .finished
        return [.report(.needsManualSettings(diagnosis)), .finish]
    }

    /// The table's hints with what discovery added.
    private static func merge(_ table: ProviderHints, _ found: ProviderHints) -> ProviderHints {
        var merged = table
        merged.requiresAppPassword = table.requiresAppPassword || found.requiresAppPassword
        merged.requiresOAuth = table.requiresOAuth || found.requiresOAuth
        merged.popUnavailable = table.popUnavailable || found.popUnavailable
        merged.oauth = table.oauth ?? found.oauth
        merged.enableURL = table.enableURL ?? found.enableURL
        merged.appPasswordURL = table.appPasswordURL ?? found.appPasswordURL
        merged.note = table.note ?? found.note
        if merged.documentation.isEmpty { merged.documentation = found.documentation }
        return merged
    }
}
