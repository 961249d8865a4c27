import MailTransport

/// A connection a test drives by hand, in the spirit of SwiftNIO's `EmbeddedChannel`:
/// push the server's bytes in, read what the client wrote, and `finish()` to check that
/// nothing was left over.
///
/// ```swift
/// let embedded = EmbeddedConnection()
/// embedded.pushInbound("+OK ready\r\n")
/// let client = try await POP3Client(connection: embedded.connection, …)
/// #expect(await embedded.readOutbound() == "CAPA\r\n")
/// try embedded.finish()
/// ```
public struct EmbeddedConnection: Sendable {
    /// The end to give to the code under test.
    public let connection: InMemoryConnection
    /// The test's end.
    public let peer: InMemoryConnection

    /// A new embedded connection; `tls` says what a STARTTLS on it does.
    public init(tls: InMemoryConnection.SimulatedTLS = .succeeds(), readTimeout: Duration? = nil) {
        (connection, peer) = InMemoryConnection.makePair(tls: tls, readTimeout: readTimeout)
    }

    /// Queues bytes for the code under test to receive.
    public func pushInbound(_ bytes: [UInt8]) {
        try? peer.sendNow(bytes)
    }

    /// Queues text (UTF-8) for the code under test to receive.
    public func pushInbound(_ text: String) { pushInbound(Array(text.utf8)) }

    /// Ends the inbound stream, as a server closing the connection.
    public func closeInbound() { peer.close() }

    /// Everything the code under test has written so far, as bytes, without waiting.
    public func takeOutbound() -> [UInt8] { peer.takeAvailable() }

    /// Waits until the code under test has written at least `count` bytes and returns what it wrote.
    public func readOutbound(atLeast count: Int = 1) async throws -> [UInt8] {
        var collected: [UInt8] = []
        while collected.count < count {
            guard let chunk = try await peer.receive(maximumCount: 1 << 20) else { break }
            collected += chunk
        }
        return collected
    }

    /// Waits for one line (ending in LF) written by the code under test, returned as text with its line end.
    public func readOutboundLine() async throws -> String {
        var collected: [UInt8] = []
        while collected.last != UInt8(ascii: "\n") {
            guard let chunk = try await peer.receive(maximumCount: 1) else { break }
            collected += chunk
        }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Throws ``LeftoverBytesError`` if either side left bytes unread.
    public func finish() throws { try peer.finish() }
}

