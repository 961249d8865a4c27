import MailAuth
import MailTesting
import MailTransport
import Testing

@Suite("FakePOP3Server")
struct FakePOP3ServerTests {
    static let accounts = SASLServerAccounts(passwords: ["alice": "pw", "bob": "secret"])

    private func server(_ configure: (inout FakePOP3Configuration) -> Void = { _ in }) -> FakePOP3Server {
        var configuration = FakePOP3Configuration()
        configure(&configuration)
        let server = FakePOP3Server(configuration: configuration, accounts: Self.accounts)
        server.deliver(FakePOP3Message(uid: "uid-1", text: "Subject: one\n\nfirst\n.dot line\n"), to: "alice")
        server.deliver(FakePOP3Message(uid: "uid-2", text: "Subject: two\n\nl1\nl2\nl3\n"), to: "alice")
        return server
    }

    private func loggedIn(_ server: FakePOP3Server, readTimeout: Duration = .seconds(5)) async throws -> RawPOP3Client {
        let client = RawPOP3Client(server, readTimeout: readTimeout)
        #expect(try await client.line().hasPrefix("+OK"))
        #expect(try await client.command("USER alice").hasPrefix("+OK"))
        #expect(try await client.command("PASS pw") == "+OK alice has 2 messages")
        return client
    }

    @Test("CAPA lists what the configuration offers")
    func capa() async throws {
        let client = RawPOP3Client(
            server {
                $0.saslMechanisms = ["PLAIN", "SCRAM-SHA-256"]; $0.expire = "NEVER"
            })
        _ = try await client.line()
        #expect(try await client.command("CAPA") == "+OK Capability list follows")
        let lines = try await client.block()
        #expect(lines.contains("SASL PLAIN SCRAM-SHA-256"))
        #expect(
            lines.contains("PIPELINING") && lines.contains("UIDL") && lines.contains("TOP") && lines.contains("USER"))
        #expect(lines.contains("EXPIRE NEVER"))
        #expect(!lines.contains("STLS"))
    }

    @Test("STAT, LIST, UIDL and RETR with dot-stuffing; sizes count CRLF")
    func transaction() async throws {
        let client = try await loggedIn(server())
        #expect(try await client.command("STAT") == "+OK 2 62")
        #expect(try await client.command("LIST") == "+OK 2 messages")
        #expect(try await client.block() == ["1 34", "2 28"])
        #expect(try await client.command("UIDL 2") == "+OK 2 uid-2")
        #expect(try await client.command("retr 1") == "+OK 34 octets")
        #expect(try await client.block() == ["Subject: one", "", "first", "..dot line"])
        #expect(try await client.command("RETR 3") == "-ERR no such message")
    }

    @Test("TOP returns the header and the asked number of body lines")
    func top() async throws {
        let client = try await loggedIn(server())
        #expect(try await client.command("TOP 2 0") == "+OK")
        #expect(try await client.block() == ["Subject: two", ""])
        #expect(try await client.command("TOP 2 2") == "+OK")
        #expect(try await client.block() == ["Subject: two", "", "l1", "l2"])
    }

    @Test("DELE only marks; RSET unmarks; QUIT removes what is marked")
    func deleteSemantics() async throws {
        let server = server()
        let client = try await loggedIn(server)
        #expect(try await client.command("DELE 1") == "+OK message 1 deleted")
        #expect(try await client.command("RETR 1") == "-ERR message 1 already deleted")
        #expect(try await client.command("STAT") == "+OK 1 28")
        #expect(server.messages(of: "alice").count == 2)
        #expect(try await client.command("RSET").hasPrefix("+OK"))
        #expect(try await client.command("DELE 2").hasPrefix("+OK"))
        #expect(try await client.command("QUIT").hasPrefix("+OK"))
        #expect(server.messages(of: "alice").map(\.uid) == ["uid-1"])
    }

    @Test("a session that ends without QUIT removes nothing and releases the lock")
    func noQuitNoUpdate() async throws {
        let server = server()
        let client = try await loggedIn(server)
        #expect(try await client.command("DELE 1").hasPrefix("+OK"))
        #expect(server.isLocked("alice"))
        client.connection.close()
        try await Task.sleep(for: .milliseconds(50))
        #expect(!server.isLocked("alice"))
        #expect(server.messages(of: "alice").count == 2)
    }

    @Test("a second session gets [IN-USE] while the maildrop is locked")
    func inUse() async throws {
        let server = server()
        // The first session stays open (a discarded one would be closed, and its lock released).
        // A long idle timeout: the fake would end an idle first session (and free the lock) after it.
        let first = try await loggedIn(server, readTimeout: .seconds(60))
        let second = RawPOP3Client(server, readTimeout: .seconds(60))
        _ = try await second.line()
        _ = try await second.command("USER alice")
        #expect(try await second.command("PASS pw") == "-ERR [IN-USE] maildrop already locked by another session")
        first.connection.close()
    }

    @Test("a wrong password gets [AUTH]; commands before login are refused")
    func authFailures() async throws {
        let client = RawPOP3Client(server())
        _ = try await client.line()
        #expect(try await client.command("STAT").hasPrefix("-ERR"))
        _ = try await client.command("USER alice")
        #expect(try await client.command("PASS wrong") == "-ERR [AUTH] invalid user name or password")
    }

    @Test("APOP checks RFC 1939's digest of the greeting's timestamp")
    func apop() async throws {
        let client = RawPOP3Client(server { $0.offersAPOP = true })
        let greeting = try await client.line()
        let timestamp = String(greeting[greeting.firstIndex(of: "<")!...])
        let digest = HexEncoding.encode(MD5.hash(timestamp + "pw"))
        #expect(try await client.command("APOP alice 0123456789abcdef0123456789abcdef").hasPrefix("-ERR [AUTH]"))
        #expect(try await client.command("APOP alice \(digest)").hasPrefix("+OK"))
    }

    @Test("AUTH PLAIN with an initial response, and * cancels an exchange")
    func saslPlain() async throws {
        let client = RawPOP3Client(server { $0.saslMechanisms = ["PLAIN", "LOGIN"] })
        _ = try await client.line()
        #expect(try await client.command("AUTH LOGIN") == "+ VXNlcm5hbWU6")
        #expect(try await client.command("*") == "-ERR authentication cancelled")
        #expect(try await client.command("AUTH PLAIN AGFsaWNlAHB3").hasPrefix("+OK"))
    }

    @Test("STLS upgrades and is no longer listed; USER is refused before TLS when required")
    func stls() async throws {
        let client = RawPOP3Client(
            server {
                $0.offersSTLS = true; $0.requiresTLSForLogin = true
            })
        _ = try await client.line()
        #expect(try await client.command("USER alice").hasPrefix("-ERR [AUTH]"))
        _ = try await client.command("CAPA")
        #expect(try await client.block().contains("STLS"))
        #expect(try await client.command("STLS") == "+OK Begin TLS negotiation")
        try await client.connection.startTLS(serverName: "x", policy: .default)
        _ = try await client.command("CAPA")
        #expect(!(try await client.block().contains("STLS")))
        #expect(try await client.command("USER alice").hasPrefix("+OK"))
    }

    @Test("scripted faults: refuse, malformed line, oversized line, drop after N bytes")
    func faults() async throws {
        let refusing = try await loggedIn(
            server { $0.faults = [.refuse(verb: "STAT", response: "-ERR [SYS/TEMP] busy")] })
        #expect(try await refusing.command("STAT") == "-ERR [SYS/TEMP] busy")

        let malformed = try await loggedIn(server { $0.faults = [.malformedLine(verb: "noop", line: "* OK IMAP")] })
        #expect(try await malformed.command("NOOP") == "* OK IMAP")

        let oversized = try await loggedIn(server { $0.faults = [.oversizedLine(verb: "NOOP", length: 1000)] })
        #expect(try await oversized.command("NOOP").utf8.count == 1000)

        let dropping = RawPOP3Client(server { $0.faults = [.dropConnection(afterBytes: 5)] })
        await #expect(throws: TransportError.self) { _ = try await dropping.line() }
    }

    @Test("an endless response keeps sending until the client leaves")
    func endless() async throws {
        let client = try await loggedIn(server { $0.faults = [.endlessResponse(verb: "RETR")] })
        #expect(try await client.command("RETR 1") == "+OK here it comes")
        for _ in 0..<200 { #expect(try await client.line().hasPrefix("zzz")) }
        client.connection.close()
    }

    @Test("received commands are logged with secrets redacted")
    func log() async throws {
        let server = server()
        _ = try await loggedIn(server)
        #expect(server.receivedCommands == ["USER alice", "PASS <redacted>"])
    }
}

@Suite("FakePOP3Server delays")
struct FakePOP3ServerDelayTests {
    @Test("a delay fault holds the answer back at least that long")
    func delay() async throws {
        var configuration = FakePOP3Configuration()
        configuration.faults = [.delay(.milliseconds(200), verb: "NOOP")]
        let server = FakePOP3Server(configuration: configuration, accounts: SASLServerAccounts(passwords: ["a": "b"]))
        let client = RawPOP3Client(server)
        _ = try await client.line()
        _ = try await client.command("USER a")
        _ = try await client.command("PASS b")
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try await client.command("NOOP") == "+OK")
        #expect(clock.now - start >= .milliseconds(200))
    }
}
