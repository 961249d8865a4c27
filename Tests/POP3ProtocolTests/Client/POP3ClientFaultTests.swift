import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

/// A broken or hostile server: every fault ends the session with a typed error, memory bounded.
@Suite("POP3Client faults")
struct POP3ClientFaultTests {
    @Test("a line that is not POP3 is malformedResponse and ends the session")
    func malformed() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("* OK this is IMAP\r\n")
        let error = await #expect(throws: POP3Error.self) { _ = try await client.stat() }
        #expect(error?.code == .malformedResponse)
        #expect(await client.isClosed)
        let later = await #expect(throws: POP3Error.self) { try await client.noop() }
        #expect(later?.code == .invalidState)
        #expect(try await Transcript.outbound(embedded) == "STAT\r\n")
        try embedded.finish()
    }

    @Test("a malformed STAT answer is malformedResponse")
    func malformedStat() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK lots of mail\r\n")
        let error = await #expect(throws: POP3Error.self) { _ = try await client.stat() }
        #expect(error?.code == .malformedResponse)
        _ = embedded.takeOutbound()
        try embedded.finish()
    }

    @Test("an oversized response line is lineTooLong")
    func longLine() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded, configuration: .init(maximumLineLength: 100))
        embedded.pushInbound("+OK " + String(repeating: "x", count: 200) + "\r\n")
        let error = await #expect(throws: TransportError.self) { _ = try await client.stat() }
        #expect(error?.code == .lineTooLong)
        #expect(await client.isClosed)
        _ = embedded.takeOutbound()
        _ = embedded.connection.takeAvailable()
        try embedded.finish()
    }

    @Test("a message over the size cap is responseTooLarge and ends the session")
    func tooLarge() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK\r\n" + String(repeating: "0123456789\r\n", count: 100) + ".\r\n")
        let error = await #expect(throws: TransportError.self) { _ = try await client.retrieve(1, maximumSize: 500) }
        #expect(error?.code == .responseTooLarge)
        #expect(await client.isClosed)
        _ = embedded.takeOutbound()
        _ = embedded.connection.takeAvailable()
        try embedded.finish()
    }

    @Test("a multi-line response that never ends times out")
    func endless() async throws {
        let embedded = EmbeddedConnection(readTimeout: .milliseconds(200))
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK\r\nSubject: forever\r\n\r\nand ever\r\n")
        let error = await #expect(throws: TransportError.self) { _ = try await client.retrieve(1) }
        #expect(error?.code == .timedOut)
        #expect(await client.isClosed)
        _ = embedded.takeOutbound()
        try embedded.finish()
    }

    @Test("a silent server times out on the greeting")
    func silentGreeting() async throws {
        let embedded = EmbeddedConnection(readTimeout: .milliseconds(100))
        let error = await #expect(throws: TransportError.self) {
            _ = try await POP3Client.open(connection: embedded.connection, serverName: "x", security: .insecurePlaintext)
        }
        #expect(error?.code == .timedOut)
        try embedded.finish()
    }

    @Test("a connection dropped in the middle of a message is closedByPeer")
    func dropped() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        let retrieval = Task { try await client.retrieve(1) }
        #expect(try await embedded.readOutboundLine() == "RETR 1\r\n")
        embedded.pushInbound("+OK\r\nSubject: cut\r\n")
        embedded.closeInbound()
        let error = await #expect(throws: TransportError.self) { _ = try await retrieval.value }
        #expect(error?.code == .closedByPeer)
        #expect(await client.isClosed)
        try embedded.finish()
    }

    @Test("a streaming sink that throws ends the session (the rest of the message is on the wire)")
    func sinkThrows() async throws {
        struct DiskFull: Error {}
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK\r\nSubject: x\r\n\r\nbody\r\n.\r\n")
        await #expect(throws: DiskFull.self) { _ = try await client.retrieve(1) { _ in throw DiskFull() } }
        #expect(await client.isClosed)
        _ = embedded.takeOutbound()
        _ = embedded.connection.takeAvailable()
        try embedded.finish()
    }

    @Test("an extra answer puts the next command out of step: malformedResponse")
    func unsolicited() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.loggedIn(embedded)
        embedded.pushInbound("+OK\r\n+OK surprise\r\n")
        try await client.noop()
        // The extra line is read as the answer to the next command, which then is out of step:
        // a STAT answer of "surprise" is malformed.
        let error = await #expect(throws: POP3Error.self) { _ = try await client.stat() }
        #expect(error?.code == .malformedResponse)
        _ = embedded.takeOutbound()
        try embedded.finish()
    }
}
