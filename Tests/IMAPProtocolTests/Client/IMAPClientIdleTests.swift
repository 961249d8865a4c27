import MailTesting
import MailTransport
import Testing

@testable import IMAPProtocol

@Suite("IMAPClient IDLE")
struct IMAPClientIdleTests {
    @Test("an EXISTS during IDLE ends it with DONE and reports the change")
    func wakes() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("+ idling\r\n* 4 EXISTS\r\n")
        let idling = Task { try await client.idle(timeout: .seconds(60), clock: TestClock(endsAtOnce: false)) }
        #expect(try await embedded.readOutboundLine() == "A3 IDLE\r\n")
        #expect(try await embedded.readOutboundLine() == "DONE\r\n")
        embedded.pushInbound("A3 OK Idle completed\r\n")
        #expect(try await idling.value == .changed([.exists(4)]))
        #expect(await client.selectedMailbox?.messageCount == 4)
        await client.close()
    }

    @Test("a timeout ends IDLE with DONE and reports nothing")
    func timesOut() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("+ idling\r\n")
        let idling = Task { try await client.idle(timeout: .seconds(60), clock: TestClock(endsAtOnce: true)) }
        #expect(try await embedded.readOutboundLine() == "A3 IDLE\r\n")
        #expect(try await embedded.readOutboundLine() == "DONE\r\n")
        embedded.pushInbound("A3 OK Idle completed\r\n")
        #expect(try await idling.value == .timedOut)
        await client.close()
    }

    @Test("IDLE refused by the server is an error and the session goes on")
    func refused() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("A3 BAD no idling here\r\nA4 OK noop\r\n")
        await #expect { _ = try await client.idle(timeout: .seconds(1), clock: TestClock(endsAtOnce: false)) } throws: {
            ($0 as? IMAPError)?.code == .commandRejected
        }
        try await client.noop()
        await client.close()
    }

    @Test("IDLE without the capability is refused before anything is sent")
    func notOffered() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.open(embedded, capabilities: "IMAP4rev1 AUTH=PLAIN")
        await #expect { _ = try await client.idle(timeout: .seconds(1)) } throws: { error in
            let code = (error as? IMAPError)?.code
            return code == .notSupported || code == .invalidState
        }
        #expect(try await Transcript.outbound(embedded) == "")
        await client.close()
    }

    @Test("a BYE during IDLE ends the session with the server's words")
    func bye() async throws {
        let embedded = EmbeddedConnection()
        let client = try await Transcript.selected(embedded)
        embedded.pushInbound("+ idling\r\n* BYE Server shutting down\r\n")
        await #expect {
            _ = try await client.idle(timeout: .seconds(60), clock: TestClock(endsAtOnce: false))
        } throws: {
            ($0 as? IMAPError)?.code == .serverClosed && ($0 as? IMAPError)?.serverText == "Server shutting down"
        }
        #expect(await client.isClosed)
    }
}
