import MailTransport

/// How to reach one server of a linked account: host, port, security and the user name.
/// Secrets are never kept here (see ``CredentialStore``).
public struct ServerSettings: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Host name or IP literal.
    public var host: String
    /// TCP port.
    public var port: Int
    /// `tls`, `startTLS` or `insecurePlaintext` (``MailTransport/Endpoint/Security-swift.enum``).
    public var security: String
    /// The login name (often the whole address).
    public var user: String

    public init(host: String, port: Int, security: Endpoint.Security, user: String) {
        self.host = host
        self.port = port
        self.security = security.rawValue
        self.user = user
    }

    /// The endpoint to connect to; an unknown security value reads as `.tls`, the safe choice.
    public var endpoint: Endpoint {
        Endpoint(host: host, port: port, security: Endpoint.Security(rawValue: security) ?? .tls)
    }

    /// `user at host:port (security)`.
    public var description: String { "\(user) at \(endpoint) (\(security))" }
}
