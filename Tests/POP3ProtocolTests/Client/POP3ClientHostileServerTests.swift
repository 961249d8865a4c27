import Foundation
import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

/// The client against a FakePOP3Server scripted to lie: odd and duplicate unique ids, LIST sizes
/// that are far off, a server that trickles bytes (slow-loris). Tests assert typed outcomes,
/// never times; the bounds are small so that they end quickly.
@Suite("POP3Client against hostile servers")
struct POP3ClientHostileServerTests {
    static let accounts = SASLServerAccounts(passwords: ["alice": "pw"])

    private func server(
        _ messages: [FakePOP3Message], _ configure: (inout FakePOP3Configuration) -> Void = { _ in }
    ) -> FakePOP3Server {
        var configuration = FakePOP3Configuration()
        configure(&configuration)
        let server = FakePOP3Server(configuration: configuration, accounts: Self.accounts)
        for message in messages { server.deliver(message, to: "alice") }
        return server
    }

    private func connect(_ server: FakePOP3Server, timeouts: Timeouts = .all(.seconds(5))) async throws -> POP3Client {
        try await POP3Client.connect(
            to: Endpoint(host: "pop.fake.test", port: 995, security: .tls), timeouts: timeouts,
            connector: server.connector)
    }

    private func loggedIn(_ server: FakePOP3Server, timeouts: Timeouts = .all(.seconds(5))) async throws -> POP3Client {
        let client = try await connect(server, timeouts: timeouts)
        try await client.authenticate(username: "alice", password: "pw")
        return client
    }

    /// Small bounds: a read may wait 300 ms, an exchange 300 ms plus 1 ms per 16 bytes.
    static let tight = Timeouts(
        connect: .seconds(5), read: .milliseconds(300), write: .seconds(5), minimumTransferRate: 16_000)

    @Test("odd unique ids arrive whole, byte for byte, from UIDL and UIDL n, and are flagged")
    func oddIDs() async throws {
        let ids: [[UInt8]] = [
            Array("abc def".utf8), Array("abc".utf8) + [0x01] + Array("def".utf8), Array("id-ñ".utf8), [0x69, 0xFF],
            Array("abc".utf8),
        ]
        let client = try await loggedIn(
            server(ids.map { FakePOP3Message(uidBytes: $0, content: Array("Subject: x\r\n\r\nx\r\n".utf8)) }))
        let listing = try await client.uidlAll()
        #expect(listing.map(\.bytes) == ids)
        #expect(listing.map(\.isConforming) == [false, false, false, false, true])
        for (index, id) in ids.enumerated() {
            #expect(try await client.uidl(index + 1).bytes == id)
        }
        let audit = POP3UniqueIDAudit(listing)
        #expect(audit.nonConforming == [1, 2, 3, 4])
        #expect(audit.trustedIDs == [5: "abc"])
        try await client.quit()
    }

    @Test("duplicate unique ids are reported by the audit; the fake deletes only the message marked")
    func duplicateIDs() async throws {
        let server = server([
            FakePOP3Message(uid: "same", text: "Subject: first\n\n1\n"),
            FakePOP3Message(uid: "same", text: "Subject: second\n\n2\n"),
        ])
        let client = try await loggedIn(server)
        let audit = POP3UniqueIDAudit(try await client.uidlAll())
        #expect(audit.duplicated == [1, 2])
        #expect(audit.trustedID(of: 1) == nil)
        try await client.delete(1)
        try await client.quit()
        #expect(
            server.messages(of: "alice").map { String(decoding: $0.content, as: UTF8.self) } == [
                "Subject: second\r\n\r\n2\r\n"
            ])
    }

    @Test("a LIST size that lies does not bound what RETR accepts: the real size does")
    func lyingSizes() async throws {
        let message = FakePOP3Message(
            uid: "big", content: Array("Subject: big\r\n\r\n".utf8), listedSize: 100, fillerSize: 3 << 20)
        let client = try await loggedIn(server([message]))
        #expect(try await client.listAll() == [POP3MessageSize(number: 1, size: 100)])
        let bytes = try await client.retrieve(1)
        #expect(bytes.count == message.size)
        #expect(bytes.count > 3 << 20)
        let error = await #expect(throws: TransportError.self) {
            _ = try await client.retrieve(1, maximumSize: 1 << 20)
        }
        #expect(error?.code == .responseTooLarge)
        #expect(await client.isClosed)
    }

    @Test("a message listed as 100 bytes that is 40 MB streams whole through a sink")
    func lyingSizeStreamed() async throws {
        let message = FakePOP3Message(
            uid: "huge", content: Array("Subject: huge\r\n\r\n".utf8), listedSize: 100, fillerSize: 40 << 20)
        let client = try await loggedIn(server([message]))
        #expect(try await client.list(1) == POP3MessageSize(number: 1, size: 100))
        let counter = ByteCounter()
        let count = try await client.retrieve(1) { chunk in counter.add(chunk.count) }
        #expect(count == message.size)
        #expect(counter.total == message.size)
        #expect(counter.largestChunk <= 1 << 20)
        try await client.quit()
    }

    @Test("a slow-loris greeting fails with a timeout, though no read waits long")
    func slowLorisGreeting() async throws {
        let server = server([]) {
            $0.greeting = String(repeating: "slow ", count: 400)
            $0.faults = [.slowLoris(verb: "GREETING", interval: .milliseconds(5))]
        }
        let error = await #expect(throws: TransportError.self) { _ = try await connect(server, timeouts: Self.tight) }
        #expect(error?.code == .timedOut)
    }

    @Test("a slow-loris RETR fails with a timeout and ends the session")
    func slowLorisRetrieve() async throws {
        let server = server([FakePOP3Message(uid: "a", content: Array(repeating: UInt8(ascii: "x"), count: 20_000))]) {
            $0.faults = [.slowLoris(verb: "RETR", interval: .milliseconds(2))]
        }
        let client = try await loggedIn(server, timeouts: Self.tight)
        let error = await #expect(throws: TransportError.self) { _ = try await client.retrieve(1) }
        #expect(error?.code == .timedOut)
        #expect(await client.isClosed)
    }

    @Test("a slow-loris answer to a streamed RETR fails with a timeout too")
    func slowLorisStreamed() async throws {
        let server = server([FakePOP3Message(uid: "a", content: Array(repeating: UInt8(ascii: "y"), count: 20_000))]) {
            $0.faults = [.slowLoris(verb: "RETR", interval: .milliseconds(2))]
        }
        let client = try await loggedIn(server, timeouts: Self.tight)
        let error = await #expect(throws: TransportError.self) {
            _ = try await client.retrieve(1) { _ in }
        }
        #expect(error?.code == .timedOut)
    }

    @Test("a slow-loris answer to LIST (a multi-line response) fails with a timeout")
    func slowLorisListing() async throws {
        let messages = (1...300).map { FakePOP3Message(uid: "id-\($0)", text: "Subject: \($0)\n\nx\n") }
        let server = server(messages) { $0.faults = [.slowLoris(verb: "LIST", interval: .milliseconds(2))] }
        let client = try await loggedIn(server, timeouts: Self.tight)
        let error = await #expect(throws: TransportError.self) { _ = try await client.listAll() }
        #expect(error?.code == .timedOut)
    }

    @Test("a server at a normal pace is not cut off by the exchange bound")
    func normalPace() async throws {
        let server = server([FakePOP3Message(uid: "a", content: Array(repeating: UInt8(ascii: "z"), count: 200_000))])
        let client = try await loggedIn(server, timeouts: Self.tight)
        #expect(try await client.retrieve(1).count == 200_002)
        try await client.quit()
    }
}

/// Counts what a streaming sink received.
final class ByteCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts = (total: 0, largest: 0)

    func add(_ count: Int) {
        lock.withLock {
            counts.total += count
            counts.largest = max(counts.largest, count)
        }
    }

    var total: Int { lock.withLock { counts.total } }
    var largestChunk: Int { lock.withLock { counts.largest } }
}
