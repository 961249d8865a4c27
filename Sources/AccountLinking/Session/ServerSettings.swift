import MailTransport

/// How to reach one server of a linked account: host, port, security and the user name.
/// Secrets are never kept here (see ``CredentialStore``).
///
/// Stored as `{"host": "pop.example.com", "port": 995, "security": "tls", "user": "someone@example.com"}`;
/// `security` is `tls`, `starttls` or `plain`.
public struct ServerSettings: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Host name or IP literal.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Implicit TLS, STARTTLS/STLS, or (only where explicitly allowed) no encryption.
    public var security: Endpoint.Security
    /// The login name (often the whole address).
    public var user: String

    /// Settings for `user` at `host:port` with `security`.
    public init(host: String, port: Int, security: Endpoint.Security, user: String) {
        self.host = host
        self.port = port
        self.security = security
        self.user = user
    }

    /// The endpoint to connect to.
    public var endpoint: Endpoint { Endpoint(host: host, port: port, security: security) }

    /// `user at host:port (security)`.
    public var description: String { "\(user) at \(endpoint) (\(Self.name(of: security)))" }

    /// The stored and printed name of a security mode: `tls`, `starttls` or `plain`.
    public static func name(of security: Endpoint.Security) -> String {
        switch security {
        case .tls: "tls"
        case .startTLS: "starttls"
        case .insecurePlaintext: "plain"
        }
    }

    /// The security mode named `tls`, `starttls` or `plain` (any case); nil for anything else.
    public static func security(named name: String) -> Endpoint.Security? {
        switch name.lowercased() {
        case "tls", "ssl": .tls
        case "starttls", "stls": .startTLS
        case "plain", "insecureplaintext": .insecurePlaintext
        default: nil
        }
    }

    private enum CodingKeys: String, CodingKey {
        case host, port, security, user
    }

    /// Decodes the stored form; an unknown security name is an error, never a silent downgrade.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decode(String.self, forKey: .host)
        port = try container.decode(Int.self, forKey: .port)
        user = try container.decode(String.self, forKey: .user)
        let name = try container.decode(String.self, forKey: .security)
        guard let security = Self.security(named: name) else {
            throw DecodingError.dataCorruptedError(
                forKey: .security, in: container, debugDescription: "security must be tls, starttls or plain, not \(name)")
        }
        self.security = security
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(host, forKey: .host)
        try container.encode(port, forKey: .port)
        try container.encode(Self.name(of: security), forKey: .security)
        try container.encode(user, forKey: .user)
    }
}
