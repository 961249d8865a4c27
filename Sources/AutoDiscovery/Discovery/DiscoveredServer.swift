import MailTransport

/// One server found by discovery: protocol, host, port, security, login name and the
/// authentication methods in the provider's order of preference.
///
/// Mirrors an `incomingServer` / `outgoingServer` section of a config-v1.1 file (the
/// Thunderbird autoconfig format, draft-ietf-mailmaint-autoconfig §"Config file format").
public struct DiscoveredServer: Sendable, Hashable, Codable {
    /// The mail protocol a server speaks.
    public enum MailProtocol: String, Sendable, Hashable, Codable, CaseIterable {
        /// POP3 (RFC 1939).
        case pop3
        /// IMAP (RFC 9051).
        case imap
        /// SMTP submission (RFC 6409).
        case smtp
    }

    /// An authentication method as config-v1.1 names it.
    public enum Authentication: String, Sendable, Hashable, Codable, CaseIterable {
        /// `password-cleartext`: PLAIN, LOGIN, USER/PASS (inside TLS).
        case passwordCleartext = "password-cleartext"
        /// `password-encrypted`: CRAM-MD5, SCRAM, APOP.
        case passwordEncrypted = "password-encrypted"
        /// `OAuth2` (XOAUTH2 / OAUTHBEARER, RFC 7628).
        case oauth2 = "OAuth2"
        /// `NTLM`; never chosen automatically.
        case ntlm = "NTLM"
        /// `GSSAPI`; never chosen automatically.
        case gssapi = "GSSAPI"
        /// `TLS-client-cert`.
        case tlsClientCertificate = "TLS-client-cert"
        /// `client-IP-address` (SMTP only: the ISP network authorises).
        case clientIPAddress = "client-IP-address"
        /// `none`.
        case none = "none"

        /// Parses a config-v1.1 value, accepting the deprecated aliases `plain`, `secure` and
        /// the draft's spelling `OAuth`; nil for values we cannot use.
        public init?(configValue: String) {
            switch configValue.trimmingWhitespace().lowercased() {
            case "password-cleartext", "plain": self = .passwordCleartext
            case "password-encrypted", "secure": self = .passwordEncrypted
            case "oauth2", "oauth": self = .oauth2
            case "ntlm": self = .ntlm
            case "gssapi": self = .gssapi
            case "tls-client-cert": self = .tlsClientCertificate
            case "client-ip-address": self = .clientIPAddress
            case "none": self = .none
            default: return nil
            }
        }
    }

    /// The protocol.
    public var mailProtocol: MailProtocol
    /// Host name (ASCII).
    public var host: String
    /// TCP port.
    public var port: Int
    /// Implicit TLS, STARTTLS/STLS upgrade, or plaintext.
    public var security: Endpoint.Security
    /// The login name with placeholders resolved (`%EMAILADDRESS%` → the address).
    public var username: String
    /// Authentication methods, most preferred first.
    public var authentication: [Authentication]
    /// The shortest interval between two POP3 checks the server tolerates (WEB.DE: 15 min).
    public var minimumPollInterval: Duration?
    /// Whether the provider suggests leaving messages on the server (`pop3/leaveMessagesOnServer`).
    public var leaveMessagesOnServer: Bool?

    /// A server description.
    public init(
        mailProtocol: MailProtocol, host: String, port: Int, security: Endpoint.Security, username: String,
        authentication: [Authentication] = [.passwordCleartext], minimumPollInterval: Duration? = nil,
        leaveMessagesOnServer: Bool? = nil
    ) {
        self.mailProtocol = mailProtocol
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.authentication = authentication
        self.minimumPollInterval = minimumPollInterval
        self.leaveMessagesOnServer = leaveMessagesOnServer
    }

    /// Where to connect.
    public var endpoint: Endpoint { Endpoint(host: host, port: port, security: security) }

    private enum CodingKeys: String, CodingKey {
        case mailProtocol = "protocol", host, port, security, username, authentication
        case minimumPollIntervalSeconds, leaveMessagesOnServer
    }

    /// Decodes the JSON form (`security` is `tls`, `startTLS` or `insecurePlaintext`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        mailProtocol = try container.decode(MailProtocol.self, forKey: .mailProtocol)
        host = try container.decode(String.self, forKey: .host)
        port = try container.decode(Int.self, forKey: .port)
        let securityName = try container.decode(String.self, forKey: .security)
        guard let security = Endpoint.Security(rawValue: securityName) else {
            throw DecodingError.dataCorruptedError(
                forKey: .security, in: container, debugDescription: "unknown security")
        }
        self.security = security
        username = try container.decode(String.self, forKey: .username)
        authentication = try container.decode([Authentication].self, forKey: .authentication)
        minimumPollInterval = try container.decodeIfPresent(Int.self, forKey: .minimumPollIntervalSeconds).map {
            .seconds($0)
        }
        leaveMessagesOnServer = try container.decodeIfPresent(Bool.self, forKey: .leaveMessagesOnServer)
    }

    /// Encodes the JSON form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(mailProtocol, forKey: .mailProtocol)
        try container.encode(host, forKey: .host)
        try container.encode(port, forKey: .port)
        try container.encode(security.rawValue, forKey: .security)
        try container.encode(username, forKey: .username)
        try container.encode(authentication, forKey: .authentication)
        try container.encodeIfPresent(
            minimumPollInterval.map { Int($0.components.seconds) }, forKey: .minimumPollIntervalSeconds)
        try container.encodeIfPresent(leaveMessagesOnServer, forKey: .leaveMessagesOnServer)
    }
}
