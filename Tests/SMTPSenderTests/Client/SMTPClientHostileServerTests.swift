import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

/// The client against a FakeSMTPServer that trickles its replies or never answers the final
/// dot. Small bounds keep the tests quick; they assert typed errors, never times.
@Suite("SMTPClient against hostile servers")
struct SMTPClientHostileServerTests {
    static let tight = Timeouts(
        connect: .seconds(5), read: .milliseconds(300), write: .seconds(5), minimumTransferRate: 16_000)

    static func envelope() -> SMTPEnvelope {
        do { return try SMTPEnvelope(from: "tim@example.com", to: ["bob@example.org"]) } catch {
            preconditionFailure("\(error)")
        }
    }

    private func connect(_ server: FakeSMTPServer, timeouts: Timeouts = tight) async throws -> SMTPClient {
        try await SMTPClient.connect(
            to: Endpoint(host: "fake-smtp.test", port: 465, security: .tls), timeouts: timeouts,
            connector: server.connector)
    }

    @Test("a slow-loris greeting fails with a timeout, though no read waits long")
    func slowLorisGreeting() async throws {
        let server = FakeSMTPServer(
            configuration: .init(
                hostname: String(repeating: "slow.", count: 400) + "test",
                faults: [.slowLoris(interval: .milliseconds(5))]))
        let error = await #expect(throws: TransportError.self) { _ = try await connect(server) }
        #expect(error?.code == .timedOut)
    }

    @Test("a slow-loris EHLO reply fails with a timeout")
    func slowLorisEHLO() async throws {
        // 2 ms a byte: the greeting (about 40 bytes) fits in the bound, the EHLO reply does not.
        let server = FakeSMTPServer(configuration: .init(faults: [.slowLoris(interval: .milliseconds(2))]))
        let error = await #expect(throws: TransportError.self) { _ = try await connect(server) }
        #expect(error?.code == .timedOut)
    }

    @Test("no reply after the final dot is messageOutcomeUnknown: the server may hold the message")
    func silentAfterData() async throws {
        let server = FakeSMTPServer(configuration: .init(faults: [.silentAfterData]))
        let client = try await connect(server)
        let error = await #expect(throws: SMTPError.self) {
            _ = try await client.send(envelope: Self.envelope(), message: Array("Subject: x\r\n\r\nbody\r\n".utf8))
        }
        #expect(error?.code == .messageOutcomeUnknown)
        #expect(error?.detail.contains("may already hold it") == true)
        #expect(error?.recoverySuggestion.contains("twice") == true)
        #expect(error?.isTransient == false)
        // Indeed it does.
        #expect(server.receivedMessages.count == 1)
    }

    @Test("a timeout before the message was sent is still a transport error, not an unknown outcome")
    func silentBeforeData() async throws {
        let server = FakeSMTPServer(configuration: .init(faults: [.slowLoris(interval: .milliseconds(400))]))
        let error = await #expect(throws: TransportError.self) { _ = try await connect(server) }
        #expect(error?.code == .timedOut)
        #expect(server.receivedMessages.isEmpty)
    }
}
