import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

@Suite("POP3Client STLS (RFC 2595)")
struct POP3ClientSTLSTests {
    @Test("STLS upgrades, then CAPA is asked again and replaces the plaintext capabilities")
    func upgrade() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("+OK ready\r\n" + Transcript.capaAnswer(["STLS", "USER"]))
        let opening = Task {
            try await POP3Client.open(connection: embedded.connection, serverName: "pop.example.com", security: .startTLS)
        }
        #expect(try await embedded.readOutboundLine() == "CAPA\r\n")
        #expect(try await embedded.readOutboundLine() == "STLS\r\n")
        embedded.pushInbound("+OK begin TLS\r\n")
        #expect(try await embedded.readOutboundLine() == "CAPA\r\n")
        #expect(embedded.connection.startTLSCount == 1)
        embedded.pushInbound(Transcript.capaAnswer(["USER", "SASL PLAIN", "PIPELINING"]))
        let client = try await opening.value
        #expect(client.isSecure)
        #expect(await client.capabilities.pipelining)
        #expect(!(await client.capabilities.stls))
        // Under TLS, automatic authentication may use PLAIN (offered after STLS) without the insecure flag.
        embedded.pushInbound("+OK\r\n")
        try await client.authenticate(username: "alice", password: "pw")
        #expect(try await Transcript.outbound(embedded) == "AUTH PLAIN AGFsaWNlAHB3\r\n")
        try embedded.finish()
    }

    @Test("a server whose CAPA lacks STLS is refused without sending anything more")
    func notOffered() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("+OK ready\r\n" + Transcript.capaAnswer(["USER"]))
        let error = await #expect(throws: POP3Error.self) {
            _ = try await POP3Client.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        }
        #expect(error?.code == .stlsNotOffered)
        #expect(try await Transcript.outbound(embedded) == "CAPA\r\n")
        #expect(embedded.connection.startTLSCount == 0)
        try embedded.finish()
    }

    @Test("without CAPA, STLS is tried; -ERR is stlsNotOffered, never a plaintext session")
    func refusedWithoutCapa() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("+OK ready\r\n" + Transcript.capaAnswer(nil) + "-ERR command not recognised\r\n")
        let error = await #expect(throws: POP3Error.self) {
            _ = try await POP3Client.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        }
        #expect(error?.code == .stlsNotOffered)
        #expect(error?.serverText == "command not recognised")
        #expect(try await Transcript.outbound(embedded) == "CAPA\r\nSTLS\r\n")
        try embedded.finish()
    }

    @Test("bytes sent before the handshake (injection) end the session before TLS")
    func injectedBytes() async throws {
        let embedded = EmbeddedConnection()
        embedded.pushInbound("+OK ready\r\n" + Transcript.capaAnswer(["STLS"]) + "+OK begin TLS\r\n+OK injected\r\n")
        let error = await #expect(throws: TransportError.self) {
            _ = try await POP3Client.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        }
        #expect(error?.code == .dataBeforeTLS)
        #expect(embedded.connection.startTLSCount == 0)
        _ = embedded.takeOutbound()
        try embedded.finish()
    }

    @Test("a failed handshake is the transport's typed error")
    func handshakeFails() async throws {
        let embedded = EmbeddedConnection(tls: .fails(TransportError(.certificateExpired, "expired")))
        embedded.pushInbound("+OK ready\r\n" + Transcript.capaAnswer(["STLS"]) + "+OK begin TLS\r\n")
        let error = await #expect(throws: TransportError.self) {
            _ = try await POP3Client.open(connection: embedded.connection, serverName: "x", security: .startTLS)
        }
        #expect(error?.code == .certificateExpired)
        _ = embedded.takeOutbound()
        try embedded.finish()
    }
}
