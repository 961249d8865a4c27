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
    /// The time limits the connection was opened with; protocol clients take the overall bound
    /// of each exchange from them (``Timeouts/exchangeLimit(received:)``). Defaults to
    /// ``Timeouts/default``.
    var timeouts: Timeouts { get }
    /// Closes the connection; pending operations fail with `.cancelled`.
    func close()
}

extension MailConnection {
    /// ``Timeouts/default``, for connections that do not say otherwise.
    public var timeouts: Timeouts { .default }
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

/// Time limits for one connection. Every wait has one, so a silent server cannot hang a caller,
/// and every exchange has an overall bound, so a slow one cannot either.
///
/// A read timeout alone does not bound an exchange: a "slow-loris" server that sends one byte
/// per second is never silent for long, and would keep a greeting going for 8,192 s (the line
/// limit) or a 64 MB message for two years. So each exchange (a greeting, a reply, a whole
/// multi-line response such as RETR) may, once its first bytes have arrived, keep the client
/// waiting at most ``exchangeLimit(received:)`` in all: the read timeout plus the time the bytes
/// received so far take at ``minimumTransferRate``. A response that arrives at least that fast
/// never trips it, whatever its size; the wait for the first bytes is the read timeout's, and
/// time the client itself spends elsewhere does not count.
public struct Timeouts: Sendable, Hashable {
    /// For each TCP connect attempt (per address) and the TLS handshake.
    public var connect: Duration
    /// For each receive: how long the server may stay silent. Also the base of every exchange's
    /// overall bound.
    public var read: Duration
    /// For each send to complete.
    public var write: Duration
    /// The slowest average transfer accepted over one exchange, in bytes per second: an
    /// exchange that has received N bytes fails with ``TransportError/Code/timedOut`` once it
    /// has waited for the server `read + N / minimumTransferRate` in all since its first bytes.
    ///
    /// The default, 16 KiB/s (128 kbit/s), is slower than any link worth syncing mail over (a
    /// 40 MB message may take 60 s + 42 min), yet it ends a slow-loris greeting after about
    /// a minute (after its first byte) instead of hours. Values below 1 count as 1.
    public var minimumTransferRate: Int

    public init(
        connect: Duration = .seconds(15), read: Duration = .seconds(60), write: Duration = .seconds(60),
        minimumTransferRate: Int = Timeouts.defaultMinimumTransferRate
    ) {
        self.connect = connect
        self.read = read
        self.write = write
        self.minimumTransferRate = max(1, minimumTransferRate)
    }

    /// 16 KiB/s: see ``minimumTransferRate``.
    public static let defaultMinimumTransferRate = 16 << 10

    /// All three set to the same value (the transfer rate keeps its default).
    public static func all(_ duration: Duration) -> Timeouts {
        Timeouts(connect: duration, read: duration, write: duration)
    }

    /// The defaults: 15 s to connect, 60 s per read or write, at least 16 KiB/s per exchange.
    public static let `default` = Timeouts()

    /// How long an exchange that has received `received` bytes may have waited in all:
    /// ``read`` + `received` / ``minimumTransferRate``.
    public func exchangeLimit(received: Int) -> Duration {
        read + .seconds(Double(max(0, received)) / Double(max(1, minimumTransferRate)))
    }
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
