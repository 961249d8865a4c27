import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

/// The client against MailTesting's independent fake server, in memory and over loopback TLS.
@Suite("POP3Client end to end with FakePOP3Server")
struct POP3ClientEndToEndTests {
    static let accounts: SASLServerAccounts = {
        var accounts = SASLServerAccounts(passwords: ["alice": "pw"], tokens: ["alice": "ya29.token"])
        accounts.scramIterations = 4096
        return accounts
    }()

    static let authority: TestCertificateAuthority = {
        do { return try TestCertificateAuthority() } catch { preconditionFailure("cannot create a test CA: \(error)") }
    }()

    static var trusting: TLSPolicy { TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]) }

    private func makeServer(
        count: Int = 3, _ configure: (inout FakePOP3Configuration) -> Void = { _ in }
    ) -> FakePOP3Server {
        var configuration = FakePOP3Configuration()
        configure(&configuration)
        let server = FakePOP3Server(configuration: configuration, accounts: Self.accounts)
        for number in 1...max(count, 1) where count > 0 {
            server.deliver(
                FakePOP3Message(uid: "uid-\(number)", text: "Subject: \(number)\n\n.line \(number)\n"), to: "alice")
        }
        return server
    }

    private func connect(_ server: FakePOP3Server, security: Endpoint.Security = .tls) async throws -> POP3Client {
        try await POP3Client.connect(
            // Generous: the fake applies it as its idle timeout too, and a loaded machine (the whole
            // suite in parallel) can leave a session idle for seconds between two commands.
            to: Endpoint(host: "pop.fake.test", port: 995, security: security), timeouts: .all(.seconds(30)),
            connector: server.connector)
    }

    @Test("fetch everything pipelined, delete after handling, QUIT commits on the server")
    func syncPass() async throws {
        let server = makeServer(count: 40)
        let client = try await connect(server)
        try await client.authenticate(username: "alice", password: "pw")
        let uids = try await client.uidlAll()
        #expect(uids.count == 40)
        _ = try await client.listAll()
        let received = Received()
        try await client.retrieveMany(uids.map(\.number), deleteAfterHandling: true) { number, message in
            await received.add(number, message)
        }
        #expect(await received.numbers == Array(1...40))
        #expect(await received.messages[0] == Array("Subject: 1\r\n\r\n.line 1\r\n".utf8))
        #expect(server.messages(of: "alice").count == 40)  // only marked so far
        #expect(try await client.quit() == true)
        #expect(server.messages(of: "alice").isEmpty)
    }

    @Test("keeping copies: nothing deleted, nothing removed")
    func keepCopies() async throws {
        let server = makeServer()
        let client = try await connect(server)
        try await client.authenticate(username: "alice", password: "pw")
        #expect(try await client.stat() == POP3MaildropStatus(messageCount: 3, totalSize: 3 * 23))
        #expect(try await client.top(2, lines: 0) == Array("Subject: 2\r\n\r\n".utf8))
        try await client.delete(1)
        try await client.reset()
        #expect(try await client.quit() == true)
        #expect(server.messages(of: "alice").count == 3)
    }

    @Test(
        "every SASL mechanism the fake offers logs in",
        arguments: ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"])
    func sasl(mechanism: String) async throws {
        let server = makeServer { $0.saslMechanisms = [mechanism] }
        let client = try await connect(server)
        try await client.authenticate(Credentials(user: "alice", secret: .password("pw")))
        #expect(await client.isAuthenticated)
        #expect(server.receivedCommands.contains { $0.hasPrefix("AUTH \(mechanism)") })
        try await client.quit()
    }

    @Test("XOAUTH2 with a token provider")
    func xoauth2() async throws {
        let server = makeServer { $0.saslMechanisms = ["XOAUTH2"] }
        let client = try await connect(server)
        try await client.authenticate(Credentials(user: "alice", secret: .oauth2(.fixed("ya29.token"))))
        #expect(await client.isAuthenticated)
    }

    @Test("an XOAUTH2 token the server refuses is refreshed once through the provider")
    func xoauth2Refresh() async throws {
        let server = makeServer { $0.saslMechanisms = ["XOAUTH2"] }
        let client = try await connect(server)
        let provider = OAuth2TokenProvider { refresh in refresh ? "ya29.token" : "expired" }
        try await client.authenticate(Credentials(user: "alice", secret: .oauth2(provider)))
        #expect(await client.isAuthenticated)
        #expect(server.receivedCommands.filter { $0.hasPrefix("AUTH XOAUTH2") }.count == 2)
    }

    @Test("an XOAUTH2 token refused twice is authenticationFailed with the OAuth status")
    func xoauth2Refused() async throws {
        let server = makeServer { $0.saslMechanisms = ["XOAUTH2"] }
        let client = try await connect(server)
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(Credentials(user: "alice", secret: .oauth2(.fixed("wrong"))))
        }
        #expect(error?.code == .authenticationFailed)
        #expect(error?.detail.contains("401") == true)
        #expect(!(await client.isClosed))
    }

    @Test("a wrong SCRAM password is authenticationFailed")
    func scramWrongPassword() async throws {
        let server = makeServer { $0.saslMechanisms = ["SCRAM-SHA-256"] }
        let client = try await connect(server)
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(Credentials(user: "alice", secret: .password("wrong")))
        }
        #expect(error?.code == .authenticationFailed)
    }

    @Test("APOP on a plaintext connection")
    func apop() async throws {
        let server = makeServer { $0.offersAPOP = true }
        let client = try await connect(server, security: .insecurePlaintext)
        try await client.authenticate(username: "alice", password: "pw")
        #expect(server.receivedCommands.contains { $0.hasPrefix("APOP alice") })
        #expect(!server.receivedCommands.contains { $0.hasPrefix("USER") })
    }

    @Test("STLS in memory, with login refused before TLS by the server")
    func stlsInMemory() async throws {
        let server = makeServer {
            $0.offersSTLS = true; $0.requiresTLSForLogin = true
        }
        let client = try await connect(server, security: .startTLS)
        #expect(client.isSecure)
        try await client.authenticate(username: "alice", password: "pw")
        #expect(server.receivedCommands.prefix(3) == ["CAPA", "STLS", "CAPA"])
    }

    @Test("a second session gets inUse while the first holds the maildrop")
    func inUse() async throws {
        let server = makeServer()
        let first = try await connect(server)
        try await first.authenticate(username: "alice", password: "pw")
        let second = try await connect(server)
        let error = await #expect(throws: POP3Error.self) {
            try await second.authenticate(username: "alice", password: "pw")
        }
        #expect(error?.code == .inUse)
        try await first.quit()
    }

    @Test(
        "scripted refusals become typed errors",
        arguments: [
            ("-ERR [SYS/TEMP] maintenance", POP3Error.Code.temporaryFailure),
            ("-ERR [LOGIN-DELAY] wait 15 minutes", .loginDelay),
            ("-ERR [SYS/PERM] Your account is not enabled for POP access", .permanentFailure),
        ])
    func refusals(response: String, code: POP3Error.Code) async throws {
        let server = makeServer { $0.faults = [.refuse(verb: "PASS", response: response)] }
        let client = try await connect(server)
        let error = await #expect(throws: POP3Error.self) {
            try await client.authenticate(username: "alice", password: "pw")
        }
        #expect(error?.code == code)
    }

    @Test(
        "faults end the session with typed errors",
        arguments: [
            (
                FakePOP3Fault.malformedLine(verb: "STAT", line: "220 this is SMTP"),
                POP3Error.Code.malformedResponse.rawValue
            ),
            (.oversizedLine(verb: "STAT", length: 20_000), TransportError.Code.lineTooLong.rawValue),
            (.endlessResponse(verb: "RETR"), TransportError.Code.responseTooLarge.rawValue),
            (.dropConnection(afterBytes: 2_000), TransportError.Code.closedByPeer.rawValue),
            (.silent(verb: "RETR"), TransportError.Code.timedOut.rawValue),
        ])
    func faults(fault: FakePOP3Fault, expectedCode: String) async throws {
        let server = makeServer(count: 0) { $0.faults = [fault] }
        // One 10 KB message, so that a dropped connection cuts it in the middle.
        server.deliver(
            FakePOP3Message(uid: "big", text: "Subject: big\n\n" + String(repeating: "0123456789\n", count: 1000)),
            to: "alice")
        // Only the silent server needs a short timeout; the others must end by their own fault
        // even on a loaded machine, where a short exchange deadline could fire first.
        let timeout: Duration = expectedCode == TransportError.Code.timedOut.rawValue ? .milliseconds(300) : .seconds(30)
        let client = try await POP3Client.connect(
            to: Endpoint(host: "pop.fake.test", port: 995, security: .tls), timeouts: .all(timeout),
            connector: server.connector, configuration: .init(maximumMessageSize: 64 * 1024))
        try await client.authenticate(username: "alice", password: "pw")
        var code: String?
        do {
            _ = try await client.stat()
            _ = try await client.retrieve(1)
        } catch let error as POP3Error {
            code = error.code.rawValue
        } catch let error as TransportError {
            code = error.code.rawValue
        }
        #expect(code == expectedCode)
        #expect(await client.isClosed)
    }

    @Test("implicit TLS over loopback with a real certificate")
    func loopbackImplicitTLS() async throws {
        let server = makeServer()
        let listener = try server.listen(certificate: try Self.authority.issue(), implicitTLS: true)
        defer { listener.close() }
        let client = try await POP3Client.connect(
            to: Endpoint(host: "localhost", port: listener.port, security: .tls), tls: Self.trusting,
            timeouts: .all(.seconds(30)))
        #expect(client.isSecure)
        try await client.authenticate(username: "alice", password: "pw")
        let received = Received()
        try await client.retrieveMany([1, 2, 3]) { number, message in await received.add(number, message) }
        #expect(await received.numbers == [1, 2, 3])
        #expect(try await client.quit())
    }

    @Test("STLS over loopback upgrades to real TLS before login")
    func loopbackSTLS() async throws {
        let server = makeServer {
            $0.offersSTLS = true; $0.requiresTLSForLogin = true
        }
        let listener = try server.listen(certificate: try Self.authority.issue())
        defer { listener.close() }
        let client = try await POP3Client.connect(
            to: Endpoint(host: "localhost", port: listener.port, security: .startTLS), tls: Self.trusting,
            timeouts: .all(.seconds(30)))
        #expect(client.isSecure)
        #expect(client.peerCertificate != nil)
        try await client.authenticate(username: "alice", password: "pw")
        #expect(try await client.uidlAll().count == 3)
        #expect(try await client.quit())
    }

    @Test("STLS requested from a loopback server that does not offer it is an error, not plaintext")
    func loopbackSTLSMissing() async throws {
        let server = makeServer()
        let listener = try server.listen()
        defer { listener.close() }
        let error = await #expect(throws: POP3Error.self) {
            _ = try await POP3Client.connect(
                to: Endpoint(host: "127.0.0.1", port: listener.port, security: .startTLS), tls: Self.trusting,
                timeouts: .all(.seconds(30)))
        }
        #expect(error?.code == .stlsNotOffered)
    }
}

@Suite("POP3Client concurrency")
struct POP3ClientConcurrencyTests {
    @Test("calls from many tasks at once are carried out one after the other")
    func serialized() async throws {
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
        for number in 1...20 {
            server.deliver(FakePOP3Message(uid: "u\(number)", text: "Subject: \(number)\n\nbody\n"), to: "alice")
        }
        let client = try await POP3Client.connect(
            to: Endpoint(host: "fake", port: 995, security: .tls), timeouts: .all(.seconds(30)),
            connector: server.connector)
        try await client.authenticate(username: "alice", password: "pw")
        let messages = try await withThrowingTaskGroup(of: (Int, [UInt8]).self) { group in
            for number in 1...20 {
                group.addTask { (number, try await client.retrieve(number)) }
                group.addTask {
                    _ = try await client.stat(); return (0, [])
                }
            }
            var result: [Int: [UInt8]] = [:]
            for try await (number, message) in group where number > 0 { result[number] = message }
            return result
        }
        #expect(messages.count == 20)
        #expect(messages[7] == Array("Subject: 7\r\n\r\nbody\r\n".utf8))
        try await client.quit()
    }
}

@Suite("POP3Client one-step connect")
struct POP3ClientOneStepConnectTests {
    @Test("connect with credentials logs in, and closes the connection when login fails")
    func connectWithCredentials() async throws {
        let server = FakePOP3Server(accounts: SASLServerAccounts(passwords: ["alice": "pw"]))
        let endpoint = Endpoint(host: "fake", port: 995, security: .tls)
        let client = try await POP3Client.connect(
            to: endpoint, credentials: Credentials(user: "alice", secret: .password("pw")), connector: server.connector)
        #expect(await client.isAuthenticated)
        try await client.quit()
        let error = await #expect(throws: POP3Error.self) {
            _ = try await POP3Client.connect(
                to: endpoint, credentials: Credentials(user: "alice", secret: .password("wrong")),
                connector: server.connector)
        }
        #expect(error?.code == .authenticationFailed)
    }
}
