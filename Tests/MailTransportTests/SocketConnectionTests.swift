import Foundation
import MailTesting
import MailTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real socket transport over loopback, with certificates from a throwaway CA.
@Suite("SocketConnection over loopback")
struct SocketConnectionTests {
    static let authority: TestCertificateAuthority = {
        do { return try TestCertificateAuthority() } catch { preconditionFailure("cannot create a test CA: \(error)") }
    }()

    private var trustingPolicy: TLSPolicy {
        TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [Self.authority.caFile])
    }

    /// A server that greets, then echoes each line it receives until "QUIT"; "STLS" upgrades.
    private func startEchoServer(
        host: String = "127.0.0.1", certificate: TestCertificateAuthority.ServerCertificate?, implicitTLS: Bool
    ) throws -> LoopbackListener {
        let listener = try LoopbackListener(host: host, certificate: certificate, implicitTLS: implicitTLS)
        Task {
            await listener.serve { connection in
                defer { connection.close() }
                let reader = BufferedReader(connection: connection)
                do {
                    try await connection.send(Array("+OK hello\r\n".utf8))
                    while true {
                        let line = String(decoding: try await reader.readLine(), as: UTF8.self)
                        if line == "QUIT" { try await connection.send(Array("+OK bye\r\n".utf8)); return }
                        if line == "STLS" {
                            try await connection.send(Array("+OK begin TLS\r\n".utf8))
                            try await connection.acceptTLS()
                            continue
                        }
                        try await connection.send(Array("echo \(line) secure=\(connection.isSecure)\r\n".utf8))
                    }
                } catch {}
            }
        }
        return listener
    }

    @Test("plaintext connect, send and receive")
    func plaintext() async throws {
        let listener = try startEchoServer(certificate: nil, implicitTLS: false)
        defer { listener.close() }
        let connection = try await SocketConnector().connect(to: listener.endpoint(security: .insecurePlaintext), tls: .default, timeouts: .all(.seconds(30)))
        defer { connection.close() }
        let reader = BufferedReader(connection: connection)
        #expect(try await reader.readLine() == Array("+OK hello".utf8))
        try await connection.send(Array("ping\r\n".utf8))
        #expect(String(decoding: try await reader.readLine(), as: UTF8.self) == "echo ping secure=false")
        #expect(!connection.isSecure)
    }

    @Test("implicit TLS with the test CA trusted succeeds and reports the certificate")
    func implicitTLS() async throws {
        let certificate = try Self.authority.issue()
        let listener = try startEchoServer(certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let connection = try await SocketConnector().connect(to: listener.endpoint(security: .tls), tls: trustingPolicy, timeouts: .all(.seconds(30)))
        defer { connection.close() }
        let reader = BufferedReader(connection: connection)
        #expect(try await reader.readLine() == Array("+OK hello".utf8))
        try await connection.send(Array("ping\r\n".utf8))
        #expect(String(decoding: try await reader.readLine(), as: UTF8.self) == "echo ping secure=true")
        #expect(connection.isSecure)
        #expect(connection.peerCertificate?.fingerprint == certificate.fingerprint)
    }

    @Test("implicit TLS over IPv6 loopback")
    func ipv6() async throws {
        let certificate = try Self.authority.issue()
        let listener = try startEchoServer(host: "::1", certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let connection = try await SocketConnector().connect(to: Endpoint(host: "::1", port: listener.port, security: .tls), tls: trustingPolicy, timeouts: .all(.seconds(30)))
        defer { connection.close() }
        #expect(try await BufferedReader(connection: connection).readLine() == Array("+OK hello".utf8))
    }

    @Test("STARTTLS upgrades the open connection in place")
    func startTLS() async throws {
        let certificate = try Self.authority.issue()
        let listener = try startEchoServer(certificate: certificate, implicitTLS: false)
        defer { listener.close() }
        let connection = try await SocketConnector().connect(to: listener.endpoint(security: .startTLS), tls: trustingPolicy, timeouts: .all(.seconds(30)))
        defer { connection.close() }
        let reader = BufferedReader(connection: connection)
        _ = try await reader.readLine()
        try await connection.send(Array("STLS\r\n".utf8))
        #expect(try await reader.readLine() == Array("+OK begin TLS".utf8))
        try reader.requireEmptyBufferBeforeTLS()
        try await connection.startTLS(serverName: "127.0.0.1", policy: trustingPolicy)
        try await connection.send(Array("after\r\n".utf8))
        #expect(String(decoding: try await reader.readLine(), as: UTF8.self) == "echo after secure=true")
    }

    private func expectCertificateFailure(
        _ certificate: TestCertificateAuthority.ServerCertificate, policy: TLSPolicy, host: String = "127.0.0.1"
    ) async throws -> TransportError? {
        let listener = try startEchoServer(certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(to: Endpoint(host: host, port: listener.port, security: .tls), tls: policy, timeouts: .all(.seconds(30)))
        }
        #expect(error?.certificate?.fingerprint == certificate.fingerprint)
        return error
    }

    @Test("a certificate from an untrusted CA is refused as untrusted, with its fingerprint")
    func untrusted() async throws {
        let error = try await expectCertificateFailure(try Self.authority.issue(), policy: TLSPolicy(trustsSystemRoots: true))
        #expect(error?.code == .certificateUntrusted)
    }

    @Test("an expired certificate is refused as expired")
    func expired() async throws {
        let error = try await expectCertificateFailure(try Self.authority.issue(validity: -86400 * 30 ..< -86400), policy: trustingPolicy)
        #expect(error?.code == .certificateExpired)
    }

    @Test("a certificate for another host is refused as a hostname mismatch")
    func wrongHost() async throws {
        let error = try await expectCertificateFailure(try Self.authority.issue(names: ["wrong.example"]), policy: trustingPolicy, host: "localhost")
        #expect(error?.code == .certificateHostnameMismatch)
        let byIP = try await expectCertificateFailure(try Self.authority.issue(names: ["wrong.example"]), policy: trustingPolicy)
        #expect(byIP?.code == .certificateHostnameMismatch)
    }

    @Test("a self-signed certificate is refused as self-signed, and accepted once pinned")
    func selfSignedAndPinned() async throws {
        let certificate = try Self.authority.issue(selfSigned: true)
        let error = try await expectCertificateFailure(certificate, policy: trustingPolicy)
        #expect(error?.code == .certificateSelfSigned)

        let listener = try startEchoServer(certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let pinned = TLSPolicy(trustsSystemRoots: false, pinnedFingerprints: [certificate.fingerprint])
        let connection = try await SocketConnector().connect(to: listener.endpoint(security: .tls), tls: pinned, timeouts: .all(.seconds(30)))
        defer { connection.close() }
        #expect(try await BufferedReader(connection: connection).readLine() == Array("+OK hello".utf8))
    }

    @Test("a certificate failure says exactly what is wrong and lists the certificate's names, issuer, dates and fingerprint")
    func certificateExplained() async throws {
        let expired = try await expectCertificateFailure(
            try Self.authority.issue(names: ["mail.example", "127.0.0.1"], validity: -86400 * 30 ..< -86400),
            policy: trustingPolicy)
        let certificate = try #require(expired?.certificate)
        #expect(certificate.names == ["mail.example", "127.0.0.1"])
        #expect(certificate.subject == "CN=mail.example")
        #expect(certificate.issuer == "CN=MailLink Test CA (do not trust)")
        #expect(!certificate.notBefore.isEmpty && certificate.notBefore != certificate.notAfter)
        let detail = try #require(expired?.detail)
        #expect(detail.hasPrefix("the certificate expired on \(certificate.notAfter)"), "\(detail)")
        for fact in ["mail.example, 127.0.0.1", "issued by CN=MailLink Test CA", certificate.notBefore, "\(certificate.fingerprint)"] {
            #expect(detail.contains(fact), "\(fact) missing from \(detail)")
        }

        let early = try await expectCertificateFailure(
            try Self.authority.issue(validity: 86400 ..< 86400 * 30), policy: trustingPolicy)
        #expect(early?.code == .certificateNotYetValid)
        #expect(early?.detail.hasPrefix("the certificate is valid only from \(early?.certificate?.notBefore ?? "?")") == true)

        let wrong = try await expectCertificateFailure(
            try Self.authority.issue(names: ["wrong.example", "other.example"]), policy: trustingPolicy, host: "localhost")
        #expect(wrong?.detail.hasPrefix("the certificate was issued for wrong.example, other.example, not for localhost") == true, "\(wrong?.detail ?? "")")

        let selfSigned = try await expectCertificateFailure(try Self.authority.issue(selfSigned: true), policy: trustingPolicy)
        #expect(selfSigned?.detail.hasPrefix("the certificate is self-signed") == true)
        #expect(selfSigned?.detail.contains("issued by itself") == true)
    }

    @Test("a server that leaves out its intermediate certificate is told apart from one that sends it, and from a private CA")
    func missingIntermediate() async throws {
        let leftOut = try await expectCertificateFailure(try Self.authority.issue(chain: .intermediateLeftOut), policy: trustingPolicy)
        #expect(leftOut?.code == .certificateIntermediateMissing)
        #expect(leftOut?.certificate?.issuerCertificateURLs == [TestCertificateAuthority.intermediateURL])
        #expect(leftOut?.detail.contains("without the intermediate certificate of CN=MailLink Test Intermediate") == true, "\(leftOut?.detail ?? "")")

        let sent = try Self.authority.issue(chain: .intermediateSent)
        let listener = try startEchoServer(certificate: sent, implicitTLS: true)
        defer { listener.close() }
        let connection = try await SocketConnector().connect(to: listener.endpoint(security: .tls), tls: trustingPolicy, timeouts: .all(.seconds(30)))
        defer { connection.close() }
        #expect(try await BufferedReader(connection: connection).readLine() == Array("+OK hello".utf8))
        #expect(connection.peerCertificate?.issuer == "CN=MailLink Test Intermediate (do not trust)")

        // A leaf from a private CA without the CA trusted, and no published issuer: untrusted.
        let privateCA = try await expectCertificateFailure(try Self.authority.issue(), policy: TLSPolicy(trustsSystemRoots: true))
        #expect(privateCA?.code == .certificateUntrusted)
        #expect(privateCA?.detail.contains("an authority this system does not trust") == true)
    }

    @Test("TLS to a plaintext server fails as a handshake failure, not a hang")
    func tlsToPlaintext() async throws {
        let listener = try startEchoServer(certificate: nil, implicitTLS: false)
        defer { listener.close() }
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(to: listener.endpoint(security: .tls), tls: trustingPolicy, timeouts: .all(.seconds(30)))
        }
        #expect(error?.code == .tlsHandshakeFailed)
    }

    @Test("a port nobody listens on is refused")
    func refused() async throws {
        let refusing = RefusingPort()
        let error = await #expect(throws: TransportError.self) {
            try await SocketConnector().connect(to: Endpoint(host: "127.0.0.1", port: refusing.port, security: .insecurePlaintext), tls: .default, timeouts: .all(.seconds(30)))
        }
        #expect(error?.code == .connectionRefused)
    }

    @Test("a silent server makes a read time out")
    func readTimeout() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let connection = try await SocketConnector().connect(
            to: listener.endpoint(security: .insecurePlaintext), tls: .default,
            timeouts: Timeouts(connect: .seconds(5), read: .milliseconds(200), write: .seconds(5)))
        defer { connection.close() }
        let error = await #expect(throws: TransportError.self) { try await connection.receive(maximumCount: 10) }
        #expect(error?.code == .timedOut)
    }

    @Test("a connect that is never answered times out")
    func connectTimeout() async throws {
        // A listener whose accept queue is full drops further SYNs: a loopback black hole.
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        _ = listen(descriptor, 0)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let endpoint = Endpoint(host: "127.0.0.1", port: port, security: .insecurePlaintext)
        let timeouts = Timeouts(connect: .milliseconds(300), read: .seconds(1), write: .seconds(1))
        var fillers: [any MailConnection] = []
        defer { fillers.forEach { $0.close() } }
        var sawTimeout = false
        for _ in 0..<8 {
            do {
                fillers.append(try await SocketConnector().connect(to: endpoint, tls: .default, timeouts: timeouts))
            } catch let error as TransportError {
                #expect(error.code == .timedOut)
                sawTimeout = true
                break
            }
        }
        #expect(sawTimeout)
    }

    @Test("cancelling the waiting task closes the connection")
    func cancellation() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let connection = try await SocketConnector().connect(to: listener.endpoint(security: .insecurePlaintext), tls: .default, timeouts: .all(.seconds(30)))
        let task = Task { try await connection.receive(maximumCount: 10) }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        let result = await task.result
        #expect(throws: TransportError.self) { try result.get() }
        await #expect(throws: TransportError.self) { try await connection.send([1]) }
    }

    @Test("a large transfer arrives intact over TLS")
    func largeTransfer() async throws {
        let certificate = try Self.authority.issue()
        let listener = try LoopbackListener(certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        Task {
            await listener.serve { connection in
                try? await connection.send(payload)
                connection.close()
            }
        }
        let connection = try await SocketConnector().connect(to: listener.endpoint(security: .tls), tls: trustingPolicy, timeouts: .all(.seconds(30)))
        defer { connection.close() }
        var received: [UInt8] = []
        while let chunk = try await connection.receive(maximumCount: 65536) { received += chunk }
        #expect(received == payload)
    }
}
