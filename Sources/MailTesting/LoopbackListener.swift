import MailTransport

/// A TCP listener on a loopback address for fake servers, with optional real TLS.
///
/// The same fake server can run over an ``InMemoryConnection`` or, through this listener, over
/// a real socket that the default ``MailTransport/SocketConnector`` reaches, with implicit TLS or a
/// STARTTLS upgrade using certificates from a ``TestCertificateAuthority``.
public final class LoopbackListener: Sendable {
    /// The address listened on (`127.0.0.1` or `::1`).
    public let host: String
    /// The bound port.
    public let port: Int
    /// The certificate presented for TLS, if any.
    public let certificate: TestCertificateAuthority.ServerCertificate?
    /// Accepted connections; with implicit TLS, each has completed its handshake.
    public let connections: AsyncStream<any ServerSideConnection>

    private let listener: SocketListener
    private let acceptor: Task<Void, Never>

    /// Listens on `host`, any free port.
    /// - Parameters:
    ///   - certificate: what to present in TLS handshakes (implicit or after STARTTLS).
    ///   - implicitTLS: whether every connection starts with a TLS handshake.
    public init(
        host: String = "127.0.0.1",
        certificate: TestCertificateAuthority.ServerCertificate? = nil,
        implicitTLS: Bool = false,
        timeouts: Timeouts = .default
    ) throws {
        let listener = try SocketListener(host: host, port: 0, timeouts: timeouts)
        self.listener = listener
        self.host = host
        self.port = listener.port
        self.certificate = certificate
        let (stream, continuation) = AsyncStream.makeStream(of: (any ServerSideConnection).self)
        connections = stream
        let identity = certificate.map {
            TLSServerIdentity(certificateChainFile: $0.certificateFile, privateKeyFile: $0.privateKeyFile)
        }
        acceptor = Task {
            await withDiscardingTaskGroup { group in
                for await socket in listener.connections {
                    let connection = LoopbackServerConnection(socket: socket, identity: identity)
                    guard implicitTLS else {
                        continuation.yield(connection)
                        continue
                    }
                    group.addTask {
                        do {
                            try await connection.acceptTLS()
                            continuation.yield(connection)
                        } catch {
                            connection.close()
                        }
                    }
                }
            }
            continuation.finish()
        }
    }

    /// An endpoint that reaches this listener.
    public func endpoint(security: Endpoint.Security) -> Endpoint {
        Endpoint(host: host, port: port, security: security)
    }

    /// Runs `handler` for every accepted connection, concurrently, until the listener closes.
    public func serve(_ handler: @escaping @Sendable (any ServerSideConnection) async -> Void) async {
        await withDiscardingTaskGroup { group in
            for await connection in connections {
                group.addTask { await handler(connection) }
            }
        }
    }

    /// Stops listening.
    public func close() {
        listener.close()
    }

    deinit {
        listener.close()
        acceptor.cancel()
    }
}

/// A socket accepted by a ``LoopbackListener``.
final class LoopbackServerConnection: ServerSideConnection {
    let socket: SocketConnection
    let identity: TLSServerIdentity?

    init(socket: SocketConnection, identity: TLSServerIdentity?) {
        self.socket = socket
        self.identity = identity
    }

    func send(_ bytes: [UInt8]) async throws { try await socket.send(bytes) }
    func receive(maximumCount: Int) async throws -> [UInt8]? { try await socket.receive(maximumCount: maximumCount) }
    func startTLS(serverName: String, policy: TLSPolicy) async throws {
        try await socket.startTLS(serverName: serverName, policy: policy)
    }
    var isSecure: Bool { socket.isSecure }
    var peerCertificate: CertificateSummary? { socket.peerCertificate }
    func close() { socket.close() }

    func acceptTLS() async throws {
        guard let identity else {
            throw TransportError(.tlsHandshakeFailed, "this loopback listener has no certificate")
        }
        try await socket.acceptTLS(identity: identity)
    }
}
