/// How a provider's mail servers take OAuth 2.0 sign-in: whether it is the only way in, which
/// authorization server issues the tokens, the scopes per protocol, the SASL mechanism and the
/// user name to send with the token.
///
/// Read from a config-v1.1 `<oAuth2>` element (Thunderbird's ISPDB uses `issuer`, `scope`,
/// `authURL` and `tokenURL`; MailLink adds `deviceURL`, a `protocol` attribute on `scope` and
/// the `required`, `mechanisms`, `pop3Form` and `username` attributes):
///
/// ```
/// <oAuth2 required="true" mechanisms="XOAUTH2" pop3Form="two-step" username="%EMAILADDRESS%">
///   <issuer>https://login.microsoftonline.com/consumers/v2.0</issuer>
///   <scope protocol="pop3">https://outlook.office.com/POP.AccessAsUser.All</scope>
///   <scope>offline_access</scope>
/// </oAuth2>
/// ```
///
/// A client registration (client id) is never part of it: each application brings its own.
public struct ProviderOAuth: Sendable, Hashable, Codable {
    /// How the user name sent with the token (XOAUTH2 `user=`, OAUTHBEARER `a=`) is formed.
    public enum UserName: String, Sendable, Hashable, Codable {
        /// The whole address (Microsoft, Google). For a shared mailbox, the shared address.
        case emailAddress = "%EMAILADDRESS%"
        /// The part before the `@`.
        case localPart = "%EMAILLOCALPART%"
    }

    /// Whether OAuth 2.0 is the only sign-in the servers accept (Outlook.com since September
    /// 2024), rather than one choice beside an (app) password (Gmail).
    public var isRequired: Bool
    /// The authorization server's issuer identifier (RFC 8414 §2).
    public var issuer: String
    /// The authorization endpoint (RFC 6749 §3.1), when the table names it.
    public var authorizationURL: String?
    /// The token endpoint (RFC 6749 §3.2), when the table names it.
    public var tokenURL: String?
    /// The device authorization endpoint (RFC 8628 §4), when the table names it.
    public var deviceAuthorizationURL: String?
    /// Scopes for POP3 only.
    public var pop3Scopes: [String]
    /// Scopes for IMAP only.
    public var imapScopes: [String]
    /// Scopes for SMTP submission only.
    public var smtpScopes: [String]
    /// Scopes asked for with any protocol (Microsoft's `offline_access`, which yields a refresh
    /// token; Google's one `https://mail.google.com/`).
    public var commonScopes: [String]
    /// The SASL mechanisms the servers take with a token, preferred first (Microsoft: `XOAUTH2`
    /// only; Google: `XOAUTH2` and `OAUTHBEARER`, RFC 7628).
    public var mechanisms: [String]
    /// Whether POP3's `AUTH XOAUTH2` must go in two steps (the token after the server's `+`,
    /// never as an RFC 5034 initial response), as Microsoft documents it; on port 110 its SASL
    /// mechanisms appear only in the CAPA answer after STLS.
    public var pop3TwoStep: Bool
    /// The user name form.
    public var userName: UserName

    /// OAuth facts for one provider.
    public init(
        isRequired: Bool, issuer: String, authorizationURL: String? = nil, tokenURL: String? = nil,
        deviceAuthorizationURL: String? = nil, pop3Scopes: [String] = [], imapScopes: [String] = [],
        smtpScopes: [String] = [], commonScopes: [String] = [], mechanisms: [String] = ["XOAUTH2"],
        pop3TwoStep: Bool = false, userName: UserName = .emailAddress
    ) {
        self.isRequired = isRequired
        self.issuer = issuer
        self.authorizationURL = authorizationURL
        self.tokenURL = tokenURL
        self.deviceAuthorizationURL = deviceAuthorizationURL
        self.pop3Scopes = pop3Scopes
        self.imapScopes = imapScopes
        self.smtpScopes = smtpScopes
        self.commonScopes = commonScopes
        self.mechanisms = mechanisms
        self.pop3TwoStep = pop3TwoStep
        self.userName = userName
    }

    /// The scopes to ask for so that one grant serves every protocol in `protocols` (incoming
    /// and outgoing together), each scope once, table order.
    public func scopes(for protocols: [DiscoveredServer.MailProtocol]) -> [String] {
        var result: [String] = []
        for mailProtocol in protocols {
            let scopes: [String] =
                switch mailProtocol {
                case .pop3: pop3Scopes
                case .imap: imapScopes
                case .smtp: smtpScopes
                }
            for scope in scopes where !result.contains(scope) { result.append(scope) }
        }
        for scope in commonScopes where !result.contains(scope) { result.append(scope) }
        return result
    }

    /// The user name to send with the token for `address` (`someone@example.com`).
    public func userName(for address: String) -> String {
        switch userName {
        case .emailAddress: address
        case .localPart: String(address.prefix { $0 != "@" })
        }
    }

    /// Reads an `<oAuth2>` element; nil without an issuer or with a scope list that is empty.
    static func read(_ element: XMLElement, required: Bool) -> ProviderOAuth? {
        guard let issuerText = element.value("issuer"), !issuerText.isEmpty,
            !issuerText.unicodeScalars.contains(where: { $0.value < 0x21 })
        else { return nil }
        // Thunderbird's ISPDB names a host ("login.microsoftonline.com"); RFC 8414 wants a URL.
        let issuer = issuerText.contains("://") ? issuerText : "https://" + issuerText
        guard issuer.hasPrefix("https://") || issuer.hasPrefix("http://") else { return nil }
        var oauth = ProviderOAuth(
            isRequired: required || element.attributes["required"] == "true", issuer: issuer,
            authorizationURL: element.value("authURL").flatMap(AutoconfigReader.httpURL),
            tokenURL: element.value("tokenURL").flatMap(AutoconfigReader.httpURL),
            deviceAuthorizationURL: element.value("deviceURL").flatMap(AutoconfigReader.httpURL))
        for scope in element.children(named: "scope") {
            let names = scope.text.split(whereSeparator: \.isWhitespace).map(String.init)
                .filter {
                    $0.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\" }
                }
            switch scope.attributes["protocol"]?.lowercased() {
            case "pop3"?: oauth.pop3Scopes += names
            case "imap"?: oauth.imapScopes += names
            case "smtp"?: oauth.smtpScopes += names
            case nil: oauth.commonScopes += names
            default: continue
            }
        }
        guard !oauth.scopes(for: DiscoveredServer.MailProtocol.allCases).isEmpty else { return nil }
        if let mechanisms = element.attributes["mechanisms"] {
            let names = mechanisms.split(whereSeparator: { $0 == " " || $0 == "," }).map { $0.uppercased() }
                .filter { ["XOAUTH2", "OAUTHBEARER"].contains($0) }
            if !names.isEmpty { oauth.mechanisms = names }
        }
        oauth.pop3TwoStep = element.attributes["pop3Form"] == "two-step"
        if element.attributes["username"] == UserName.localPart.rawValue { oauth.userName = .localPart }
        return oauth
    }
}
