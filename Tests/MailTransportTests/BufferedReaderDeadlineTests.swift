import MailTesting
import MailTransport
import Testing

/// The overall bound on one exchange: a reader that keeps receiving bytes, too slowly, still
/// ends with a timeout. Tests assert the typed error, never a time.
@Suite("BufferedReader exchange deadline")
struct BufferedReaderDeadlineTests {
    /// Sends `bytes` one at a time, `interval` apart, until done or the connection closes.
    private func trickle(_ bytes: [UInt8], to peer: InMemoryConnection, interval: Duration) -> Task<Void, Never> {
        Task {
            for byte in bytes {
                do {
                    try await peer.send([byte])
                    try await Task.sleep(for: interval)
                } catch { return }
            }
        }
    }

    @Test("a line trickled one byte at a time fails with timedOut once the exchange is over its bound")
    func slowLine() async throws {
        let (client, server) = InMemoryConnection.makePair(readTimeout: .seconds(5))
        let sender = trickle(
            Array((String(repeating: "a", count: 2000) + "\r\n").utf8), to: server, interval: .milliseconds(5))
        defer { sender.cancel() }
        let reader = BufferedReader(connection: client)
        reader.beginExchange(within: Timeouts(read: .milliseconds(100), minimumTransferRate: 1000))
        let error = await #expect(throws: TransportError.self) { _ = try await reader.readLine() }
        #expect(error?.code == .timedOut)
        client.close()
    }

    @Test("a trickled dot-terminated block fails with timedOut, in memory and streamed")
    func slowBlock() async throws {
        for streamed in [false, true] {
            let (client, server) = InMemoryConnection.makePair(readTimeout: .seconds(5))
            let sender = trickle(
                Array((String(repeating: "line\r\n", count: 500) + ".\r\n").utf8), to: server,
                interval: .milliseconds(2))
            defer { sender.cancel() }
            let reader = BufferedReader(connection: client)
            reader.beginExchange(within: Timeouts(read: .milliseconds(100), minimumTransferRate: 1000))
            let error = await #expect(throws: TransportError.self) {
                if streamed {
                    _ = try await reader.readDotTerminatedBlock(maximumSize: 1 << 20) { _ in }
                } else {
                    _ = try await reader.readDotTerminatedBlock(maximumSize: 1 << 20)
                }
            }
            #expect(error?.code == .timedOut)
            client.close()
        }
    }

    @Test("without an exchange, or after it ended, only the read timeout applies")
    func noExchange() async throws {
        let (client, server) = InMemoryConnection.makePair(readTimeout: .seconds(5))
        let reader = BufferedReader(connection: client)
        let sender = trickle(Array("+OK slow but steady\r\n".utf8), to: server, interval: .milliseconds(10))
        #expect(try await reader.readLine() == Array("+OK slow but steady".utf8))
        await sender.value
        reader.beginExchange(within: Timeouts(read: .milliseconds(1), minimumTransferRate: 1))
        reader.endExchange()
        let second = trickle(Array("+OK again\r\n".utf8), to: server, interval: .milliseconds(10))
        #expect(try await reader.readLine() == Array("+OK again".utf8))
        await second.value
        client.close()
    }

    @Test("bytes already buffered are read even when the exchange may wait no more")
    func buffered() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("+OK one\r\n+OK two\r\n")
        let reader = BufferedReader(connection: embedded.connection)
        #expect(try await reader.readLine() == Array("+OK one".utf8))  // receives both lines
        reader.beginExchange(within: Timeouts(read: .zero, minimumTransferRate: 1))
        #expect(try await reader.readLine() == Array("+OK two".utf8))
        let error = await #expect(throws: TransportError.self) { _ = try await reader.readLine() }
        #expect(error?.code == .timedOut)
    }

    @Test("the caller's own pauses do not count against the server")
    func callerPauses() async throws {
        let embedded = EmbeddedConnection()
        let reader = BufferedReader(connection: embedded.connection)
        reader.beginExchange(within: Timeouts(read: .milliseconds(50), minimumTransferRate: 1))
        embedded.pushInbound("+OK ")
        #expect(try await reader.readBytes(4) == Array("+OK ".utf8))
        // The caller is busy far longer than the exchange may wait; the server was not slow.
        try await Task.sleep(for: .milliseconds(200))
        embedded.pushInbound("ready\r\n")
        #expect(try await reader.readLine() == Array("ready".utf8))
    }
}
