import MailTransport

/// What the fake servers share: how a connector reaches a session in memory, how a listener
/// serves sessions on loopback, how a session's output honours a "drop after N bytes" fault, and
/// how test text becomes CRLF bytes. One copy, so the fakes cannot drift apart.
enum FakeServerSupport {
    /// A new in-memory pair: `serve` runs a session on the server end, the client end is returned.
    /// With `.tls` the connection is marked secure at once (simulated implicit TLS), or fails as
    /// `simulatedTLS` says (also for STARTTLS). `timeouts.read` applies to both ends: the client's
    /// reads, and the server's wait for the next command.
    static func connect(
        to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts,
        simulatedTLS: InMemoryConnection.SimulatedTLS = .succeeds(),
        serve: @escaping @Sendable (any ServerSideConnection) async -> Void
    ) async throws -> any MailConnection {
        let (client, serverSide) = InMemoryConnection.makePair(
            tls: simulatedTLS, readTimeout: timeouts.read, minimumTransferRate: timeouts.minimumTransferRate)
        if endpoint.security == .tls {
            try await client.startTLS(serverName: endpoint.host, policy: tls)
        }
        Task { await serve(serverSide) }
        return client
    }

    /// A loopback listener that runs `serve` for every connection until it is closed.
    static func listen(
        host: String, certificate: TestCertificateAuthority.ServerCertificate?, implicitTLS: Bool,
        serve: @escaping @Sendable (any ServerSideConnection) async -> Void
    ) throws -> LoopbackListener {
        let listener = try LoopbackListener(host: host, certificate: certificate, implicitTLS: implicitTLS)
        Task { await listener.serve(serve) }
        return listener
    }

    /// `text` as bytes with every bare LF turned into CRLF.
    static func crlfBytes(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") { bytes.append(UInt8(ascii: "\r")) }
            bytes.append(byte)
            previous = byte
        }
        return bytes
    }
}

/// A fake session's output: counts what was sent and closes the connection once a scripted
/// byte budget is spent (the "drop the connection after N bytes" fault), mid-line if need be.
final class FakeServerOutput {
    /// Thrown once the budget is spent: the session ends.
    struct Dropped: Error {}

    let connection: any ServerSideConnection
    /// The byte budget, when a drop fault is scripted.
    let dropAfter: Int?
    private var sentBytes = 0

    /// An output whose budget is the smallest that `faults` script (`budget` reads one fault).
    init<Fault>(connection: any ServerSideConnection, faults: [Fault], budget: (Fault) -> Int?) {
        self.connection = connection
        self.dropAfter = faults.compactMap(budget).min()
    }

    /// Sends `bytes`, or as much of them as the budget allows and then closes.
    func send(_ bytes: [UInt8]) async throws {
        if let limit = dropAfter, sentBytes + bytes.count >= limit {
            let allowed = max(0, limit - sentBytes)
            if allowed > 0 { try? await connection.send(Array(bytes.prefix(allowed))) }
            sentBytes = limit
            connection.close()
            throw Dropped()
        }
        sentBytes += bytes.count
        try await connection.send(bytes)
    }
}

/// A fake server that serves one session per connection; it can listen on loopback.
public protocol FakeMailServer: Sendable {
    /// Runs one session on `connection` until it ends; closes the connection.
    func serve(_ connection: any ServerSideConnection) async
}

extension FakeMailServer {
    /// Listens on loopback and serves every connection until the listener is closed.
    /// - Parameters:
    ///   - certificate: for implicit TLS or an upgrade with STLS/STARTTLS (from ``TestCertificateAuthority``).
    ///   - implicitTLS: whether connections start with a TLS handshake (port 995/993 style).
    public func listen(
        host: String = "127.0.0.1",
        certificate: TestCertificateAuthority.ServerCertificate? = nil,
        implicitTLS: Bool = false
    ) throws -> LoopbackListener {
        try FakeServerSupport.listen(host: host, certificate: certificate, implicitTLS: implicitTLS) { connection in
            await self.serve(connection)
        }
    }
}
