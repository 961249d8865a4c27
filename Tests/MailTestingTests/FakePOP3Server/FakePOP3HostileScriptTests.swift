import MailAuth
import MailTesting
import MailTransport
import Testing

/// What FakePOP3Server can be scripted to do wrong, checked on the wire with a raw client:
/// duplicate and odd unique ids, lying LIST sizes, huge generated messages, slow-loris answers.
@Suite("FakePOP3Server hostile scripts")
struct FakePOP3HostileScriptTests {
    private func loggedIn(
        _ messages: [FakePOP3Message], faults: [FakePOP3Fault] = []
    ) async throws -> (RawPOP3Client, FakePOP3Server) {
        var configuration = FakePOP3Configuration()
        configuration.faults = faults
        let server = FakePOP3Server(configuration: configuration, accounts: SASLServerAccounts(passwords: ["u": "p"]))
        for message in messages { server.deliver(message, to: "u") }
        let client = RawPOP3Client(server)
        _ = try await client.line()
        _ = try await client.command("USER u")
        #expect(try await client.command("PASS p").hasPrefix("+OK"))
        return (client, server)
    }

    @Test("UIDL sends ids exactly as scripted: spaces, controls, UTF-8 and invalid bytes")
    func oddIDs() async throws {
        let ids: [[UInt8]] = [Array("abc def".utf8), [0x61, 0x01, 0x62], Array("id-ñ".utf8), [0x69, 0xFF]]
        let (client, _) = try await loggedIn(ids.map { FakePOP3Message(uidBytes: $0, content: Array("x\r\n".utf8)) })
        #expect(try await client.command("UIDL") == "+OK")
        for (index, id) in ids.enumerated() {
            #expect(try await client.rawLine() == Array("\(index + 1) ".utf8) + id)
        }
        #expect(try await client.line() == ".")
        try await client.send("UIDL 4")
        #expect(try await client.rawLine() == Array("+OK 4 ".utf8) + [0x69, 0xFF])
    }

    @Test("two messages may share an id, and QUIT removes only the one marked")
    func duplicateIDs() async throws {
        let (client, server) = try await loggedIn([
            FakePOP3Message(uid: "dup", text: "one\n"), FakePOP3Message(uid: "dup", text: "two\n"),
        ])
        #expect(try await client.command("UIDL") == "+OK")
        #expect(try await client.block() == ["1 dup", "2 dup"])
        #expect(try await client.command("DELE 2").hasPrefix("+OK"))
        #expect(try await client.command("QUIT").hasPrefix("+OK"))
        #expect(server.messages(of: "u").map(\.content) == [Array("one\r\n".utf8)])
    }

    @Test("LIST and STAT report the scripted size; RETR sends the content plus generated filler")
    func lyingSizes() async throws {
        let message = FakePOP3Message(
            uid: "big", content: Array("Subject: x\r\n\r\n".utf8), listedSize: 100, fillerSize: 200_000)
        let (client, _) = try await loggedIn([message])
        #expect(try await client.command("STAT") == "+OK 1 100")
        #expect(try await client.command("LIST 1") == "+OK 1 100")
        #expect(try await client.command("RETR 1") == "+OK 100 octets")
        let lines = try await client.block()
        let received = lines.reduce(0) { $0 + $1.utf8.count + 2 }
        #expect(received == message.size)
        #expect(received == "Subject: x\r\n\r\n".utf8.count + 200_000)
        #expect(lines.dropFirst(2).allSatisfy { !$0.hasPrefix(".") })
    }

    @Test("filler that does not fill whole lines still ends with a line end")
    func oddFiller() async throws {
        let message = FakePOP3Message(uid: "f", content: Array("a".utf8), fillerSize: 70_001)
        let (client, _) = try await loggedIn([message])
        #expect(try await client.command("RETR 1").hasPrefix("+OK"))
        let lines = try await client.block()
        #expect(lines.first == "a")
        #expect(lines.reduce(0) { $0 + $1.utf8.count + 2 } == message.size)
    }

    @Test("a slow-loris greeting arrives a byte at a time, and whole in the end")
    func slowLorisGreeting() async throws {
        var configuration = FakePOP3Configuration()
        configuration.greeting = "slow"
        configuration.faults = [.slowLoris(verb: "GREETING", interval: .milliseconds(20))]
        let server = FakePOP3Server(configuration: configuration, accounts: SASLServerAccounts(passwords: [:]))
        let (client, serverSide) = InMemoryConnection.makePair(readTimeout: .seconds(5))
        Task { await server.serve(serverSide) }
        var received: [UInt8] = []
        var receives = 0
        while !received.starts(with: Array("+OK slow\r\n".utf8)) {
            let chunk = try #require(try await client.receive(maximumCount: 100))
            received += chunk
            receives += 1
        }
        #expect(receives > 1)
        #expect(received == Array("+OK slow\r\n".utf8))
        client.close()
    }

    @Test("a slow-loris fault on one verb leaves the other answers at full speed")
    func slowLorisOneVerb() async throws {
        let (client, _) = try await loggedIn(
            [FakePOP3Message(uid: "a", text: "x\n")], faults: [.slowLoris(verb: "NOOP", interval: .milliseconds(1))])
        #expect(try await client.command("STAT") == "+OK 1 3")
        #expect(try await client.command("NOOP") == "+OK")
    }
}
