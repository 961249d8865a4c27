import MailTransport

/// The host and port matrix probed when nothing else answered.
///
/// Host names: POP3 `pop3.<d>`, `pop.<d>`, `mail.<d>`, `<d>`; IMAP `imap.<d>`, `mail.<d>`, `<d>`;
/// SMTP `smtp.<d>`, `mail.<d>`, `<d>`. Ports: POP3 995 implicit TLS, 110 STLS; IMAP 993 implicit
/// TLS, 143 STARTTLS (in ``standard``; a plan without ``imapPorts`` probes no IMAP); SMTP 465
/// implicit TLS, 587 and 25 STARTTLS (plaintext variants only when allowed). Order: implicit TLS
/// before STARTTLS before plaintext, then port order, then host order.
/// Ports are configurable so that a test bench on high ports can be probed.
public struct ProbePlan: Sendable, Hashable {
    /// POP3 ports by security, in preference order.
    public var pop3Ports: [(port: Int, security: Endpoint.Security)]
    /// SMTP ports by security, in preference order.
    public var smtpPorts: [(port: Int, security: Endpoint.Security)]
    /// POP3 host prefixes (`""` is the bare domain).
    public var pop3Prefixes: [String]
    /// SMTP host prefixes.
    public var smtpPrefixes: [String]
    /// IMAP ports by security, in preference order; empty probes no IMAP.
    public var imapPorts: [(port: Int, security: Endpoint.Security)] = []
    /// IMAP host prefixes.
    public var imapPrefixes: [String] = ["imap.", "mail.", ""]

    /// A plan.
    public init(
        pop3Ports: [(port: Int, security: Endpoint.Security)], smtpPorts: [(port: Int, security: Endpoint.Security)],
        pop3Prefixes: [String] = ["pop3.", "pop.", "mail.", ""], smtpPrefixes: [String] = ["smtp.", "mail.", ""]
    ) {
        self.pop3Ports = pop3Ports
        self.smtpPorts = smtpPorts
        self.pop3Prefixes = pop3Prefixes
        self.smtpPrefixes = smtpPrefixes
    }

    /// The standard ports (RFC 8314 implicit TLS first).
    public static let standard: ProbePlan = {
        var plan = ProbePlan(
            pop3Ports: [(995, .tls), (110, .startTLS), (110, .insecurePlaintext)],
            smtpPorts: [(465, .tls), (587, .startTLS), (25, .startTLS), (587, .insecurePlaintext)])
        plan.imapPorts = [(993, .tls), (143, .startTLS), (143, .insecurePlaintext)]
        return plan
    }()

    /// Incoming and outgoing candidates for `domain`, best first; plaintext only if allowed.
    func candidates(
        for domain: String, allowPlaintext: Bool
    ) -> (incoming: [ProbeCandidate], outgoing: [ProbeCandidate]) {
        (
            Self.build(.pop3, pop3Ports, pop3Prefixes, domain, allowPlaintext),
            Self.build(.smtp, smtpPorts, smtpPrefixes, domain, allowPlaintext)
        )
    }

    /// IMAP candidates for `domain`, best first; none when the plan has no ``imapPorts``.
    func imapCandidates(for domain: String, allowPlaintext: Bool) -> [ProbeCandidate] {
        Self.build(.imap, imapPorts, imapPrefixes, domain, allowPlaintext)
    }

    private static func build(
        _ mailProtocol: DiscoveredServer.MailProtocol, _ ports: [(port: Int, security: Endpoint.Security)],
        _ prefixes: [String], _ domain: String, _ allowPlaintext: Bool
    ) -> [ProbeCandidate] {
        ports.filter { allowPlaintext || $0.security != .insecurePlaintext }.flatMap { entry in
            prefixes.map {
                ProbeCandidate(
                    mailProtocol: mailProtocol, host: $0 + domain, port: entry.port, security: entry.security)
            }
        }
    }

    public static func == (left: ProbePlan, right: ProbePlan) -> Bool {
        left.pop3Ports.map(\.port) == right.pop3Ports.map(\.port)
            && left.pop3Ports.map(\.security) == right.pop3Ports.map(\.security)
            && left.smtpPorts.map(\.port) == right.smtpPorts.map(\.port)
            && left.smtpPorts.map(\.security) == right.smtpPorts.map(\.security)
            && left.pop3Prefixes == right.pop3Prefixes && left.smtpPrefixes == right.smtpPrefixes
            && left.imapPorts.map(\.port) == right.imapPorts.map(\.port)
            && left.imapPorts.map(\.security) == right.imapPorts.map(\.security)
            && left.imapPrefixes == right.imapPrefixes
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(pop3Ports.map(\.port))
        hasher.combine(smtpPorts.map(\.port))
        hasher.combine(pop3Prefixes)
        hasher.combine(imapPorts.map(\.port))
    }
}
