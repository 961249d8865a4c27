import MailTransport

/// The default ``DNSResolver``: a small stub resolver speaking RFC 1035 to the system's
/// servers (from `/etc/resolv.conf`) or to servers given explicitly.
///
/// Each query goes over UDP (random 16-bit ID; the reply must echo the ID, the question and the
/// QR bit); a reply with the TC bit set is repeated over TCP (RFC 7766 §5, two-byte length
/// prefix) through the transport's ``MailConnector``, so TCP uses the same non-blocking
/// Dispatch sockets as mail connections. Servers are tried in order, `attempts` rounds.
/// NXDOMAIN ends the query at once (a definite answer); SERVFAIL, REFUSED and time-outs move
/// on to the next server.
public struct DNSClient: DNSResolver {
    /// The servers asked, in order.
    public var servers: [DNSServerAddress]
    /// How long to wait for each server's reply.
    public var timeout: Duration
    /// How many rounds over all servers.
    public var attempts: Int
    /// Opens TCP connections for truncated answers.
    public var connector: any MailConnector

    /// A client for `servers` (the system's by default). The 2 s per try and 2 rounds match
    /// glibc's resolver defaults (resolv.conf(5): `timeout:5 attempts:2`) shortened because
    /// discovery runs many lookups under a total budget.
    public init(
        servers: [DNSServerAddress] = DNSServerAddress.system(), timeout: Duration = .seconds(2), attempts: Int = 2,
        connector: any MailConnector = SocketConnector()
    ) {
        self.servers = servers
        self.timeout = timeout
        self.attempts = max(1, attempts)
        self.connector = connector
    }

    /// Sends the query, retrying as described on the type.
    public func query(_ name: String, type: DNSRecordType) async throws -> [DNSRecord] {
        var lastError = DiscoveryError(.dnsTimedOut, "no DNS server configured")
        for _ in 0..<attempts {
            for server in servers {
                try Task.checkCancellation()
                do {
                    return try await query(name, type: type, server: server)
                } catch let error as DiscoveryError
                    where error.code == .dnsTimedOut || error.code == .dnsServerFailure
                    || error.code == .network
                {
                    lastError = error
                }
            }
        }
        throw lastError
    }

    /// One exchange with one server (UDP, then TCP when truncated).
    func query(_ name: String, type: DNSRecordType, server: DNSServerAddress) async throws -> [DNSRecord] {
        let id = UInt16.random(in: 0...UInt16.max)
        let request = try DNSMessage.query(id: id, name: name, type: type)
        var reply = try DNSMessage(parsing: try await UDPExchange.exchange(request, with: server, timeout: timeout))
        try Self.check(reply, id: id, name: name, type: type)
        if reply.isTruncated {
            reply = try DNSMessage(parsing: try await exchangeOverTCP(request, with: server))
            try Self.check(reply, id: id, name: name, type: type)
        }
        switch reply.responseCode {
        case 0: return reply.answers.filter { $0.type == type }
        case 3: throw DiscoveryError(.dnsNoRecords, "\(name) does not exist (NXDOMAIN)")
        default:
            throw DiscoveryError(
                .dnsServerFailure, "\(server) answered RCODE \(reply.responseCode) for \(name) \(type)")
        }
    }

    /// Whether the reply answers our question.
    static func check(_ reply: DNSMessage, id: UInt16, name: String, type: DNSRecordType) throws {
        guard reply.id == id, reply.isResponse, reply.questions.count == 1,
            reply.questions[0].name == name.lowercased(), reply.questions[0].type == type
        else { throw DiscoveryError(.malformedDNSMessage, "the reply does not match the question for \(name)") }
    }

    /// RFC 7766: the same message with a two-byte length prefix over TCP.
    func exchangeOverTCP(_ request: [UInt8], with server: DNSServerAddress) async throws -> [UInt8] {
        let endpoint = Endpoint(host: server.host, port: server.port, security: .insecurePlaintext)
        let connection: any MailConnection
        do {
            connection = try await connector.connect(to: endpoint, tls: .default, timeouts: .all(timeout))
        } catch {
            throw DiscoveryError(.network, "DNS over TCP to \(server): \(error)")
        }
        defer { connection.close() }
        do {
            try await connection.send([UInt8(request.count >> 8), UInt8(request.count & 0xff)] + request)
            var buffer: [UInt8] = []
            while true {
                if buffer.count >= 2 {
                    let length = Int(buffer[0]) << 8 | Int(buffer[1])
                    if buffer.count >= 2 + length { return Array(buffer[2..<(2 + length)]) }
                }
                guard let bytes = try await connection.receive(maximumCount: 65537 - buffer.count) else {
                    throw DiscoveryError(.malformedDNSMessage, "the TCP reply from \(server) ends early")
                }
                buffer += bytes
            }
        } catch let error as TransportError {
            throw DiscoveryError(
                error.code == .timedOut ? .dnsTimedOut : .network, "DNS over TCP to \(server): \(error.detail)")
        }
    }
}
