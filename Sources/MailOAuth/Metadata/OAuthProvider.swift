/// A mail provider's authorization server and mail scopes, built in so that a host needs only
/// its own client id: endpoints and scopes only, never a client registration.
///
/// ```swift
/// let client = try OAuthClient(provider: .microsoftConsumers, registration: .init(clientID: myAppsClientID))
/// ```
public struct OAuthProvider: Sendable, Hashable {
    /// A short name (`Microsoft`, `Google`).
    public var name: String
    /// The authorization server.
    public var metadata: OAuthServerMetadata
    /// The scopes to request for POP3, IMAP and SMTP together (with the one that yields a
    /// refresh token, where the provider needs one named).
    public var mailScopes: [String]
    /// Extra authorization request parameters the provider needs for a refresh token
    /// (Google: `access_type=offline`, `prompt=consent`).
    public var extraAuthorizationParameters: [String: String]
    /// Where and how to register an application, for the ``OAuthError/Code/missingClientID`` error.
    public var registrationHelp: String

    /// A provider.
    public init(
        name: String, metadata: OAuthServerMetadata, mailScopes: [String],
        extraAuthorizationParameters: [String: String] = [:], registrationHelp: String
    ) {
        self.name = name
        self.metadata = metadata
        self.mailScopes = mailScopes
        self.extraAuthorizationParameters = extraAuthorizationParameters
        self.registrationHelp = registrationHelp
    }

    /// Microsoft's scopes for Outlook.com, Hotmail and Microsoft 365 mailboxes: POP3, IMAP and
    /// SMTP submission, plus `offline_access` for a refresh token.
    public static let microsoftMailScopes = [
        "https://outlook.office.com/POP.AccessAsUser.All", "https://outlook.office.com/IMAP.AccessAsUser.All",
        "https://outlook.office.com/SMTP.Send", "offline_access",
    ]

    /// Google's one scope for Gmail over IMAP, POP3 and SMTP (a restricted scope: see the article).
    public static let googleMailScopes = ["https://mail.google.com/"]

    /// Microsoft's identity platform (v2.0 endpoints) for `tenant`: `consumers` (Outlook.com,
    /// Hotmail), `organizations`, `common` (both) or a tenant id or domain.
    public static func microsoft(tenant: String) -> OAuthProvider {
        let base = "https://login.microsoftonline.com/\(tenant)/oauth2/v2.0"
        return OAuthProvider(
            name: "Microsoft",
            metadata: OAuthServerMetadata(
                issuer: "https://login.microsoftonline.com/\(tenant)/v2.0",
                authorizationEndpoint: "\(base)/authorize", tokenEndpoint: "\(base)/token",
                deviceAuthorizationEndpoint: "\(base)/devicecode"),
            mailScopes: microsoftMailScopes,
            registrationHelp:
                "Register one in the Microsoft Entra admin center (App registrations, New registration; "
                + "account type with personal Microsoft accounts; redirect URI http://127.0.0.1/callback for "
                + "\"Mobile and desktop applications\"; Authentication: allow public client flows for the device flow)."
        )
    }

    /// Outlook.com and Hotmail accounts (personal Microsoft accounts).
    public static let microsoftConsumers = microsoft(tenant: "consumers")
    /// Personal and work or school Microsoft accounts.
    public static let microsoftCommon = microsoft(tenant: "common")

    /// Google accounts (Gmail, Google Workspace).
    public static let google = OAuthProvider(
        name: "Google",
        metadata: OAuthServerMetadata(
            issuer: "https://accounts.google.com",
            authorizationEndpoint: "https://accounts.google.com/o/oauth2/v2/auth",
            tokenEndpoint: "https://oauth2.googleapis.com/token",
            deviceAuthorizationEndpoint: "https://oauth2.googleapis.com/device/code",
            revocationEndpoint: "https://oauth2.googleapis.com/revoke",
            sendsIssuerInAuthorizationResponse: false),
        mailScopes: googleMailScopes,
        extraAuthorizationParameters: ["access_type": "offline", "prompt": "consent"],
        registrationHelp:
            "Create one in the Google Cloud console (APIs & Services, Credentials, Create credentials, "
            + "OAuth client ID, application type \"Desktop app\"), configure the consent screen with the "
            + "https://mail.google.com/ scope, and pass its client id and client secret.")
}
