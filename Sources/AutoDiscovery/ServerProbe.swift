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
    public init(mailProtocol: DiscoveredServer.MailProtocol, host: String, addresses: [String] = [], port: Int, security: Endpoint.Security) {
        self.mailProtocol = mailProtocol
        self.host = host
        self.addresses = addresses
        self.port = port
        self.security = security
    }

    /// `pop3 host:port (tls)`.
    public var description: String { "\(mailProtocol.rawValue) \(host):\(port) (\(security.rawValue))" }
}

/// What a probe learned.
public enum ProbeOutcome: Sendable, Hashable {
    /// The server greeted correctly, TLS was verified (implicit or after the upgrade), and
    /// these capabilities were read after TLS (POP3 CAPA lines, SMTP EHLO keywords, upper case).
    case success(capabilities: [String])
    /// The probe failed; the error says why (certificate, refused, greeting, no STLS, …).
    case failure(DiscoveryError)
}

/// The probing seam: check that a candidate server is real, reachable, and TLS-verified.
///
/// Contract: never authenticates and never sends a secret; respects task cancellation; returns
/// within the implementation's own time limits. The default is ``MailServerProbe``; tests use
/// fakes returning canned outcomes.
public protocol ServerProbe: Sendable {
    /// Probes `candidate`.
    func probe(_ candidate: ProbeCandidate) async -> ProbeOutcome
}
