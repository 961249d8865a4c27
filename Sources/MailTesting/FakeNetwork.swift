import MailTransport

/// One connector that reaches each host name's fake server, as a network would: the connector a
/// host application's tests hand to code that opens several servers (a POP3 or IMAP server, an
/// SMTP server, a second provider), so that no test has to write its own router.
///
/// ```swift
/// let pop3 = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["ann@example.net": "pw"]))
/// let smtp = FakeSMTPServer(accounts: SASLServerAccounts(passwords: ["ann@example.net": "pw"]))
/// let network = FakeNetwork([
///     "pop.example.net": pop3.connector,
///     "smtp.example.net": smtp.connector,
/// ])
/// ```
///
/// Host names are compared without regard to case. A name that is not registered fails as DNS
/// would (`TransportError(.nameNotFound)`); a registered host with ``refusing(_:)`` ports refuses
/// those (`TransportError(.connectionRefused)`), so "wrong port" paths can be tested too.
public struct FakeNetwork: MailConnector {
    private var hosts: [String: any MailConnector]
    private var refusedPorts: [String: Set<Int>] = [:]

    /// A network of these hosts, each reached through its fake's connector.
    public init(_ hosts: [String: any MailConnector]) {
        self.hosts = Dictionary(hosts.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// This network, where `host` refuses connections to `ports` (nothing listens there).
    public func refusing(_ ports: Set<Int>, on host: String) -> FakeNetwork {
        var copy = self
        copy.refusedPorts[host.lowercased(), default: []].formUnion(ports)
        return copy
    }

    public func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let host = endpoint.host.lowercased()
        guard let connector = hosts[host] else {
            throw TransportError(.nameNotFound, "\(endpoint.host) is not a host of this fake network")
        }
        if refusedPorts[host]?.contains(endpoint.port) == true {
            throw TransportError(.connectionRefused, "\(endpoint.host):\(endpoint.port) refuses connections")
        }
        return try await connector.connect(to: endpoint, tls: tls, timeouts: timeouts)
    }
}
