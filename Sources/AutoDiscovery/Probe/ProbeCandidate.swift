import MailTransport

/// One server to probe: a guessed host, port and security for POP3 or SMTP.
public struct ProbeCandidate: Sendable, Hashable, CustomStringConvertible {
    /// The protocol expected on the port.
    public var mailProtocol: DiscoveredServer.MailProtocol
    /// The host name (certificates are verified against it).
    public var host: String
    /// The IP addresses to connect to, resolved once per host by discovery and tried in order
    /// until one connects; empty lets the connector resolve `host` itself.
    public var addresses: [String]
    /// TCP port.
    public var port: Int
    /// Implicit TLS, STLS/STARTTLS, or plaintext.
    public var security: Endpoint.Security

    /// A candidate.
    public init(
        mailProtocol: DiscoveredServer.MailProtocol, host: String, addresses: [String] = [], port: Int,
        security: Endpoint.Security
    ) {
        self.mailProtocol = mailProtocol
        self.host = host
        self.addresses = addresses
        self.port = port
        self.security = security
    }

    /// `pop3 host:port (tls)`.
    public var description: String { "\(mailProtocol.rawValue) \(host):\(port) (\(security.rawValue))" }
}
