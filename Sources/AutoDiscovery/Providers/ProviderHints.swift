/// What a person must know or do before linking works, from the bundled table or an autoconfig file.
///
/// These turn a bare "authentication failed" into something actionable:
/// create an app password, enable POP in the web settings, wait 15 minutes between checks.
public struct ProviderHints: Sendable, Hashable, Codable {
    /// A normal account password is refused; an app password (or authorisation code) is needed.
    public var requiresAppPassword: Bool
    /// Only OAuth 2.0 works (Outlook.com since September 2024).
    public var requiresOAuth: Bool
    /// How the provider takes OAuth 2.0, when it does: authorization server, scopes per protocol,
    /// SASL mechanism, user name form. Required when ``requiresOAuth``, a choice otherwise.
    public var oauth: ProviderOAuth?
    /// The provider offers no POP3 at all (iCloud, Proton): it cannot be linked over POP3.
    public var popUnavailable: Bool
    /// Where the user switches POP (or mail-client access) on (`enable@visiturl`).
    public var enableURL: String?
    /// Instructions for enabling access, by language code (`enable/instruction@lang`).
    public var enableInstructions: [String: String]
    /// Where app passwords are created, when the provider documents a page.
    public var appPasswordURL: String?
    /// Help pages (`documentation@url`).
    public var documentation: [String]
    /// A remark in plain words (e.g. why POP is unavailable).
    public var note: String?

    /// Hints; every field defaults to "nothing special".
    public init(
        requiresAppPassword: Bool = false, requiresOAuth: Bool = false, popUnavailable: Bool = false,
        enableURL: String? = nil, enableInstructions: [String: String] = [:], appPasswordURL: String? = nil,
        documentation: [String] = [], note: String? = nil, oauth: ProviderOAuth? = nil
    ) {
        self.requiresAppPassword = requiresAppPassword
        self.requiresOAuth = requiresOAuth
        self.popUnavailable = popUnavailable
        self.enableURL = enableURL
        self.enableInstructions = enableInstructions
        self.appPasswordURL = appPasswordURL
        self.documentation = documentation
        self.note = note
        self.oauth = oauth
    }

    /// Whether the provider accepts OAuth 2.0 sign-in for mail (required or optional).
    public var offersOAuth: Bool { oauth != nil }

    /// No hints.
    public static let none = ProviderHints()
}
