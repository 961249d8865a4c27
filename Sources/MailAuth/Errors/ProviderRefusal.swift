/// What a provider's refusal text says beyond "refused", read once from the server's words.
///
/// Big providers answer a login to POP3 or IMAP with a plain `-ERR` or `NO` whose text is the
/// only hint of what the owner must do: sign in on the web first, create an app password (two-step
/// verification is on), or switch the protocol on in the mail settings. POP3 and IMAP errors
/// expose this as a value (`POP3Error.providerRefusal`, `IMAPError.providerRefusal`), so that
/// callers switch on it instead of matching texts themselves; this type is the one place that
/// knows the texts.
///
/// The texts recognised are the providers' published answers, for example Gmail's
/// `-ERR [AUTH] Web login required` and `[ALERT] Application-specific password required`,
/// Outlook.com's "not enabled for POP access", and "IMAP access is disabled for your domain".
public enum ProviderRefusal: String, Sendable, Hashable, CaseIterable {
    /// The provider wants the owner to sign in on its web site first (a security check, or a
    /// consent); afterwards, or with an app password, the same login works.
    case webSignInRequired = "web sign-in required"
    /// Two-step verification is on: the account password is refused for mail clients, and an app
    /// password must be created in the account's security settings.
    case applicationPasswordRequired = "app password required"
    /// The protocol (POP3 or IMAP) is switched off for the account or its domain; the owner must
    /// switch it on in the provider's mail settings.
    case protocolDisabled = "protocol disabled"

    /// Reads a refusal from the server's text, or nil when the text says nothing more than "no".
    ///
    /// - Parameters:
    ///   - serverText: the text of the server's `-ERR`, `NO` or `BAD` line (its response code included or not).
    ///   - protocolName: `POP` or `IMAP`: "access is disabled" counts only for the protocol spoken.
    public init?(serverText: String, protocolName: String) {
        let text = serverText.lowercased()
        let name = protocolName.lowercased()
        if text.contains("application-specific password") || text.contains("app password")
            || text.contains("app-specific password")
        {
            self = .applicationPasswordRequired
        } else if text.contains("web login") || text.contains("web browser") || text.contains("sign in via your web")
            || text.contains("log in via your web")
        {
            self = .webSignInRequired
        } else if text.contains("not enabled for \(name)") || text.contains("\(name) access")
            || text.contains("\(name) is disabled") || text.contains("\(name)3 is disabled")
        {
            self = .protocolDisabled
        } else {
            return nil
        }
    }

    /// What the owner can do, in plain words; `protocolName` as for ``init(serverText:protocolName:)``.
    public func recoverySuggestion(protocolName: String) -> String {
        switch self {
        case .webSignInRequired:
            "The provider wants a sign-in through its web site first (or an app password when two-step verification is on); sign in there, then try again."
        case .applicationPasswordRequired:
            "Two-step verification is on for this account: create an app password in the account's security settings and use it instead of the usual password."
        case .protocolDisabled:
            "\(protocolName) access is turned off for this account; enable \(protocolName) in the provider's mail settings, then try again."
        }
    }
}
