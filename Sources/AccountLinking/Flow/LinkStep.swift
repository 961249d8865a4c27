import MailMessage

/// Progress of ``AccountLinker/link(address:secret:options:)``, for a person to watch.
///
/// A flow ends with exactly one of ``awaitingConfirmation(_:)``, ``updated(_:)``,
/// ``confirmationNotSent(_:)``, ``settingsNeedApproval(_:)`` or ``needsManualSettings(_:)``.
public enum LinkStep: Sendable, Equatable, CustomStringConvertible {
    /// Looking up the server settings (bundled table, autoconfig, DNS, probing).
    case discovering
    /// Settings were found, with where they came from.
    case found(DiscoveredAccountSettings)
    /// Advice from the provider's entry, shown before the password is used (for example: this
    /// provider needs an app password when two-step verification is on).
    case advice(String)
    /// Waiting for the host to approve discovered settings before any password is sent to them.
    case awaitingApproval(DiscoveredAccountSettings)
    /// The OAuth 2.0 sign-in waits for the user: open this page in a browser, or enter this code
    /// at this page (``LinkFlow`` shows it once the settings are known and approved).
    case authorize(OAuthPrompt)
    /// The user signed in to the provider; the tokens came back.
    case authorized
    /// Connecting to `host:port`.
    case connecting(String)
    /// Signing in.
    case authenticating
    /// Signed in; the mailbox holds this many messages.
    case connected(messages: Int)
    /// The confirmation e-mail went out.
    case confirmationSent(to: EmailAddress)
    /// Done: linked, waiting for the owner to follow the link or type the code.
    case awaitingConfirmation(LinkedAccount)
    /// Done: the address was already confirmed; its settings and secret were updated and it keeps syncing.
    case updated(LinkedAccount)
    /// Done, but the confirmation e-mail could not be sent: the account is kept as "confirmation
    /// not sent", and ``AccountLinker/resendConfirmation(for:)`` repairs it.
    case confirmationNotSent(LinkDiagnosis)
    /// Done without a password sent: the discovered settings need the user's approval (they came
    /// from DNS, autoconfig without TLS, or guessing). Show them; link again with
    /// ``LinkOptions/acceptDiscoveredSettings`` or with them as manual settings.
    case settingsNeedApproval(DiscoveredAccountSettings)
    /// Done: something failed; the diagnosis says what and what to try (often: enter settings by hand).
    case needsManualSettings(LinkDiagnosis)

    /// Whether this step ends the flow.
    public var isFinal: Bool {
        switch self {
        case .awaitingConfirmation, .updated, .confirmationNotSent, .settingsNeedApproval, .needsManualSettings: true
        default: false
        }
    }

    /// One line (or a few, for a diagnosis) in plain words.
    public var description: String {
        switch self {
        case .discovering: "looking up the server settings"
        case .found(let settings): "found \(settings.incoming) from \(settings.origin)"
        case .advice(let text): "note: \(text)"
        case .awaitingApproval(let settings):
            "waiting for approval of \(settings.incoming) from \(settings.origin)"
        case .authorize(let prompt): prompt.description
        case .authorized: "signed in to the provider"
        case .connecting(let host): "connecting to \(host)"
        case .authenticating: "signing in"
        case .connected(let count): "connected: \(count) messages on the server"
        case .confirmationSent(let address): "confirmation sent to \(address)"
        case .awaitingConfirmation: "waiting for the confirmation link to be followed or its code typed"
        case .updated(let account): "\(account.address) was already confirmed: its settings were updated"
        case .confirmationNotSent(let diagnosis): "linked, but the confirmation e-mail was not sent:\n\(diagnosis)"
        case .settingsNeedApproval(let settings):
            "these settings need your approval before the password is sent:\n"
                + "  incoming \(settings.incoming)\n"
                + (settings.outgoing.map { "  outgoing \($0)\n" } ?? "")
                + "  from \(settings.origin)\n"
                + settings.confirmationReasons.map { "  because \($0)\n" }.joined()
                + "link again accepting them, or enter the settings by hand"
        case .needsManualSettings(let diagnosis): "could not link:\n\(diagnosis)"
        }
    }
}
