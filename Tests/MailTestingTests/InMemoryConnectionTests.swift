import MailTesting
import MailTransport
import Testing

@Suite("InMemoryConnection and EmbeddedConnection")
struct InMemoryConnectionTests {
    @Test("bytes sent on one end arrive on the other, in order")
    func ordering() async throws {
        let (client, server) = InMemoryConnection.makePair()
        try await client.send(Array("one ".utf8))
        try await client.send(Array("two".utf8))
        #expect(try await server.receive(maximumCount: 100) == Array("one two".utf8))
        let pending = Task { try await client.receive(maximumCount: 3) }
        try await server.send(Array("abcdef".utf8))
        #expect(try await pending.value == Array("abc".utf8))
        #expect(try await client.receive(maximumCount: 100) == Array("def".utf8))
        try client.finish()
    }

    @Test("closing one end ends the other's stream; the closed end fails")
    func closing() async throws {
        let (client, server) = InMemoryConnection.makePair()
        let waiting = Task { try await server.receive(maximumCount: 10) }
        try await Task.sleep(for: .milliseconds(10))
        client.close()
        #expect(try await waiting.value == nil)
        await #expect(throws: TransportError.self) { try await client.receive(maximumCount: 1) }
        await #expect(throws: TransportError.self) { try await server.send([1]) }
    }

    @Test("finish reports bytes that nobody read")
    func leftovers() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("+OK unread\r\n")
        #expect(throws: LeftoverBytesError.self) { try embedded.finish() }
        _ = try await embedded.connection.receive(maximumCount: 100)
        try await embedded.connection.send(Array("USER x\r\n".utf8))
        #expect(throws: LeftoverBytesError.self) { try embedded.finish() }
        #expect(try await embedded.readOutboundLine() == "USER x\r\n")
        try embedded.finish()
    }

    @Test("a simulated STARTTLS marks both ends secure, or fails as configured")
    func simulatedTLS() async throws {
        let embedded = EmbeddedConnection()
        #expect(!embedded.connection.isSecure)
        try await embedded.connection.startTLS(serverName: "pop.example", policy: .default)
        #expect(embedded.connection.isSecure && embedded.peer.isSecure)
        #expect(embedded.connection.startTLSCount == 1)

        let failing = EmbeddedConnection(tls: .fails(TransportError(.certificateExpired)))
        let error = await #expect(throws: TransportError.self) {
            try await failing.connection.startTLS(serverName: "pop.example", policy: .default)
        }
        #expect(error?.code == .certificateExpired)
        #expect(!failing.connection.isSecure)
    }

    @Test("a read timeout on an in-memory connection fails the wait")
    func timeout() async throws {
        let embedded = EmbeddedConnection(readTimeout: .milliseconds(50))
        let error = await #expect(throws: TransportError.self) { try await embedded.connection.receive(maximumCount: 1) }
        #expect(error?.code == .timedOut)
    }
}
