/// A byte stream to a mail server: the seam every protocol client talks through.
///
/// The default implementation is a TCP socket with optional TLS (``SocketConnector``);
/// MailTesting provides in-memory connections whose other end is a fake server, so protocol
/// clients are tested without a network.
///
/// Contract: one reader and one writer at a time (a protocol client owns its connection);
/// `receive` and `send` may be pending together. After `close()`, every pending and later
/// call fails with ``TransportError/Code/cancelled``.
public protocol MailConnection: AnyObject, Sendable {
    /// Sends all of `bytes` (one write for a group of pipelined commands).
    func send(_ bytes: [UInt8]) async throws
    /// Receives up to `maximumCount` bytes, waiting until at least one is available.
    /// Returns nil when the peer has closed the connection cleanly.
    func receive(maximumCount: Int) async throws -> [UInt8]?
    /// Upgrades the open connection to TLS in place (STLS / STARTTLS), verifying the server
    /// according to `policy`. `serverName` is the host name to verify and send in SNI.
    func startTLS(serverName: String, policy: TLSPolicy) async throws
    /// Whether TLS protects the connection now.
    var isSecure: Bool { get }
    /// The certificate the server presented, once TLS is up.
    var peerCertificate: CertificateSummary? { get }
    /// Closes the connection; pending operations fail with `.cancelled`.
    func close()
}

/// Opens connections to endpoints.
///
/// With ``Endpoint/Security-swift.enum/tls`` the returned connection has completed its TLS
/// handshake; with `.startTLS` and `.insecurePlaintext` it is plaintext and the protocol client
/// decides when to call ``MailConnection/startTLS(serverName:policy:)``.
public protocol MailConnector: Sendable {
    /// Opens a connection to `endpoint`.
    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection
}

/// Time limits for one connection. Every wait has one, so a silent server cannot hang a caller.
public struct Timeouts: Sendable, Hashable {
    /// For each TCP connect attempt (per address) and the TLS handshake.
    public var connect: Duration
    /// For each receive: how long the server may stay silent.
    public var read: Duration
    /// For each send to complete.
    public var write: Duration

    public init(connect: Duration = .seconds(15), read: Duration = .seconds(60), write: Duration = .seconds(60)) {
        self.connect = connect
        self.read = read
        self.write = write
    }

    /// All three set to the same value.
    public static func all(_ duration: Duration) -> Timeouts {
        Timeouts(connect: duration, read: duration, write: duration)
    }

    /// The defaults: 15 s to connect, 60 s per read or write.
    public static let `default` = Timeouts()
}

extension Duration {
    /// The duration as a `DispatchTimeInterval`-friendly count of nanoseconds (saturating).
    package var nanosecondsClamped: Int {
        let (seconds, attoseconds) = components
        if seconds > Int64(Int.max / 1_000_000_000 - 1) { return Int.max }
        if seconds < 0 { return 0 }
        return Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000)
    }
}
