import MailTransport
import Synchronization

/// A connector that opens real sockets and counts the writes (`send` calls) made on them, so
/// a test can show that pipelining puts many commands in one write.
final class InteropPOP3CountingConnector: MailConnector {
    private let inner = SocketConnector()
    private let counter = Mutex(0)

    /// How many times the client wrote to its connection so far.
    var writes: Int { counter.withLock { $0 } }

    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        CountingConnection(inner: try await inner.connect(to: endpoint, tls: tls, timeouts: timeouts), owner: self)
    }

    fileprivate func count() { counter.withLock { $0 += 1 } }

    private final class CountingConnection: MailConnection {
        let inner: any MailConnection
        let owner: InteropPOP3CountingConnector

        init(inner: any MailConnection, owner: InteropPOP3CountingConnector) {
            self.inner = inner
            self.owner = owner
        }

        func send(_ bytes: [UInt8]) async throws {
            owner.count()
            try await inner.send(bytes)
        }

        func receive(maximumCount: Int) async throws -> [UInt8]? { try await inner.receive(maximumCount: maximumCount) }
        func startTLS(serverName: String, policy: TLSPolicy) async throws {
            try await inner.startTLS(serverName: serverName, policy: policy)
        }
        var isSecure: Bool { inner.isSecure }
        var peerCertificate: CertificateSummary? { inner.peerCertificate }
        func close() { inner.close() }
    }
}
