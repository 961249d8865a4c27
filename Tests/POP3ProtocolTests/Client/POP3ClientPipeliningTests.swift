import MailTesting
import MailTransport
import Synchronization
import Testing

@testable import POP3Protocol

/// Counts the `send` calls made through a connection, to check that pipelined commands share writes.
final class SendCountingConnection: MailConnection {
    let base: InMemoryConnection
    private let count = Mutex(0)

    init(_ base: InMemoryConnection) { self.base = base }

    var sends: Int { count.withLock { $0 } }
    func send(_ bytes: [UInt8]) async throws {
        count.withLock { $0 += 1 }
        try await base.send(bytes)
    }
    func receive(maximumCount: Int) async throws -> [UInt8]? { try await base.receive(maximumCount: maximumCount) }
    func startTLS(serverName: String, policy: TLSPolicy) async throws {
        try await base.startTLS(serverName: serverName, policy: policy)
    }
    var isSecure: Bool { base.isSecure }
    var peerCertificate: CertificateSummary? { base.peerCertificate }
    func close() { base.close() }
}

@Suite("POP3Client pipelining")
struct POP3ClientPipeliningTests {
    private static func message(_ number: Int) -> String { "Subject: \(number)\r\n\r\nbody \(number)\r\n" }

    private func openPipelined(
        _ embedded: EmbeddedConnection, capabilities: [String], window: Int
    ) async throws -> (POP3Client, SendCountingConnection) {
        let counting = SendCountingConnection(embedded.connection)
        embedded.pushInbound("+OK ready\r\n" + Transcript.capaAnswer(capabilities) + "+OK\r\n+OK\r\n")
        let client = try await POP3Client.open(
            connection: counting, serverName: "x", security: .insecurePlaintext,
            configuration: .init(pipelineWindow: window))
        try await client.authenticate(username: "u", password: "p", allowInsecureAuthentication: true)
        #expect(try await Transcript.outbound(embedded) == "CAPA\r\nUSER u\r\nPASS p\r\n")
        return (client, counting)
    }

    @Test("with PIPELINING, a batch of RETRs goes out in one write and answers are read in order")
    func oneWrite() async throws {
        let embedded = EmbeddedConnection()
        let (client, counting) = try await openPipelined(embedded, capabilities: ["PIPELINING", "UIDL"], window: 32)
        let sendsBefore = counting.sends
        embedded.pushInbound((1...6).map { "+OK\r\n" + Self.message($0) + ".\r\n" }.joined())
        let received = Received()
        try await client.retrieveMany(Array(1...6)) { number, message in await received.add(number, message) }
        #expect(counting.sends - sendsBefore == 1)
        #expect(try await Transcript.outbound(embedded) == (1...6).map { "RETR \($0)\r\n" }.joined())
        #expect(await received.numbers == Array(1...6))
        #expect(await received.messages[3] == Array(Self.message(4).utf8))
        try embedded.finish()
    }

    @Test("the window bounds the commands in flight and is topped up; DELE follows each handled message")
    func windowAndDeletes() async throws {
        let embedded = EmbeddedConnection()
        let (client, counting) = try await openPipelined(embedded, capabilities: ["PIPELINING"], window: 4)
        let sendsBefore = counting.sends
        // Server answers in the order the client will have sent (checked below).
        let retr = { (n: Int) in "+OK\r\n" + Self.message(n) + ".\r\n" }
        embedded.pushInbound(
            retr(1) + retr(2) + retr(3) + retr(4) + "+OK\r\n+OK\r\n" + "+OK\r\n+OK\r\n" + retr(5) + retr(6)
                + "+OK\r\n+OK\r\n")
        let received = Received()
        try await client.retrieveMany(Array(1...6), deleteAfterHandling: true) { number, message in
            await received.add(number, message)
        }
        let written = try await Transcript.outbound(embedded)
        // Refills happen when half the window (2) is free: R1-4 | D1 D2 | D3 D4 | R5 R6 | D5 | D6.
        #expect(
            written
                == "RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 4\r\nDELE 1\r\nDELE 2\r\nDELE 3\r\nDELE 4\r\nRETR 5\r\nRETR 6\r\nDELE 5\r\nDELE 6\r\n"
        )
        #expect(await received.numbers == Array(1...6))
        #expect(counting.sends - sendsBefore == 6)
        try embedded.finish()
    }

    @Test("without PIPELINING, each RETR waits for the previous answer")
    func noPipelining() async throws {
        let embedded = EmbeddedConnection()
        let (client, counting) = try await openPipelined(embedded, capabilities: ["UIDL"], window: 32)
        let sendsBefore = counting.sends
        let received = Received()
        let task = Task {
            try await client.retrieveMany([1, 2, 3]) { number, message in await received.add(number, message) }
        }
        for number in 1...3 {
            #expect(try await embedded.readOutboundLine() == "RETR \(number)\r\n")
            #expect(embedded.takeOutbound().isEmpty)  // nothing else was sent before the answer
            embedded.pushInbound("+OK\r\n" + Self.message(number) + ".\r\n")
        }
        try await task.value
        #expect(counting.sends - sendsBefore == 3)
        #expect(await received.numbers == [1, 2, 3])
        try embedded.finish()
    }

    @Test("a refused RETR stops new commands, drains those in flight, then throws; the session goes on")
    func refusedInTheMiddle() async throws {
        let embedded = EmbeddedConnection()
        let (client, _) = try await openPipelined(embedded, capabilities: ["PIPELINING"], window: 32)
        embedded.pushInbound(
            "+OK\r\n" + Self.message(1) + ".\r\n" + "-ERR no such message\r\n" + "+OK\r\n" + Self.message(3) + ".\r\n")
        let received = Received()
        let error = await #expect(throws: POP3Error.self) {
            try await client.retrieveMany([1, 2, 3]) { number, message in await received.add(number, message) }
        }
        #expect(error?.code == .commandFailed)
        #expect(await received.numbers == [1])
        #expect(try await Transcript.outbound(embedded) == "RETR 1\r\nRETR 2\r\nRETR 3\r\n")
        embedded.pushInbound("+OK\r\n")
        try await client.noop()
        _ = embedded.takeOutbound()
        try embedded.finish()
    }

    @Test("a handler that throws stops the run; no DELE is sent for its message")
    func handlerThrows() async throws {
        struct StoreFull: Error {}
        let embedded = EmbeddedConnection()
        let (client, _) = try await openPipelined(embedded, capabilities: ["PIPELINING"], window: 2)
        embedded.pushInbound("+OK\r\n" + Self.message(1) + ".\r\n" + "+OK\r\n" + Self.message(2) + ".\r\n")
        await #expect(throws: StoreFull.self) {
            try await client.retrieveMany([1, 2, 3], deleteAfterHandling: true) { _, _ in throw StoreFull() }
        }
        #expect(try await Transcript.outbound(embedded) == "RETR 1\r\nRETR 2\r\n")
        #expect(!(await client.isClosed))
        try embedded.finish()
    }

    @Test("chunked retrieveMany hands each message over in pieces, then its end with the real size, whatever LIST said")
    func chunked() async throws {
        let embedded = EmbeddedConnection()
        let (client, counting) = try await openPipelined(embedded, capabilities: ["PIPELINING"], window: 32)
        let sendsBefore = counting.sends
        // 300 KB bodies: more than one receive each, so a message arrives in several chunks.
        let big = "Subject: big\r\n\r\n" + String(repeating: String(repeating: "x", count: 98) + "\r\n", count: 3_000)
        embedded.pushInbound("+OK\r\n" + big + ".\r\n" + "+OK\r\n.\r\n" + "+OK\r\n" + Self.message(3) + ".\r\n")
        let pieces = Pieces()
        try await client.retrieveMany(
            [1, 2, 3], chunk: { number, bytes in await pieces.chunk(number, bytes) },
            end: { number, size in await pieces.end(number, size) })
        #expect(counting.sends - sendsBefore == 1)
        #expect(try await Transcript.outbound(embedded) == "RETR 1\r\nRETR 2\r\nRETR 3\r\n")
        #expect(await pieces.ends == [1: big.utf8.count, 2: 0, 3: Self.message(3).utf8.count])
        #expect(await pieces.bytes[1] == Array(big.utf8))
        #expect(await pieces.bytes[2] == nil)  // an empty message has no chunk, only its end
        #expect(await pieces.bytes[3] == Array(Self.message(3).utf8))
        #expect(await pieces.chunkCounts[1, default: 0] > 1)
        #expect(await pieces.order == [1, 2, 3])
        try embedded.finish()
    }

    @Test("a chunk handler that throws mid-message: the rest of it and the answers in flight are read, not handed over; the session goes on")
    func chunkThrows() async throws {
        struct DiskFull: Error {}
        let embedded = EmbeddedConnection()
        let (client, _) = try await openPipelined(embedded, capabilities: ["PIPELINING"], window: 32)
        let big = "Subject: big\r\n\r\n" + String(repeating: String(repeating: "y", count: 98) + "\r\n", count: 3_000)
        embedded.pushInbound("+OK\r\n" + big + ".\r\n" + "+OK\r\n" + Self.message(2) + ".\r\n")
        let pieces = Pieces()
        await #expect(throws: DiskFull.self) {
            try await client.retrieveMany(
                [1, 2],
                chunk: { number, bytes in
                    await pieces.chunk(number, bytes)
                    throw DiskFull()
                },
                end: { number, size in await pieces.end(number, size) })
        }
        #expect(await pieces.chunkCounts == [1: 1])
        #expect(await pieces.ends.isEmpty)
        embedded.pushInbound("+OK\r\n")
        try await client.noop()
        #expect(try await Transcript.outbound(embedded) == "RETR 1\r\nRETR 2\r\nNOOP\r\n")
        try embedded.finish()
    }

    @Test("delete([Int]) pipelines DELE commands")
    func pipelinedDeletes() async throws {
        let embedded = EmbeddedConnection()
        let (client, counting) = try await openPipelined(embedded, capabilities: ["PIPELINING"], window: 32)
        let sendsBefore = counting.sends
        embedded.pushInbound("+OK\r\n+OK\r\n+OK\r\n")
        try await client.delete([1, 2, 3])
        #expect(counting.sends - sendsBefore == 1)
        #expect(try await Transcript.outbound(embedded) == "DELE 1\r\nDELE 2\r\nDELE 3\r\n")
        try embedded.finish()
    }
}

/// What a retrieveMany handler received.
actor Received {
    var numbers: [Int] = []
    var messages: [[UInt8]] = []
    func add(_ number: Int, _ message: [UInt8]) {
        numbers.append(number)
        messages.append(message)
    }
}

/// What a chunked retrieveMany handed over.
actor Pieces {
    var bytes: [Int: [UInt8]] = [:]
    var chunkCounts: [Int: Int] = [:]
    var ends: [Int: Int] = [:]
    var order: [Int] = []
    func chunk(_ number: Int, _ chunk: [UInt8]) {
        #expect(!chunk.isEmpty)
        bytes[number, default: []].append(contentsOf: chunk)
        chunkCounts[number, default: 0] += 1
    }
    func end(_ number: Int, _ size: Int) {
        ends[number] = size
        order.append(number)
    }
}
