import MailTransport
import Synchronization

/// Wraps a connection and records every `send`, so tests can check that a pipelined group
/// went out in one write.
final class RecordingConnection: MailConnection {
    let base: any MailConnection
    private let writes = Mutex<[[UInt8]]>([])

    init(_ base: any MailConnection) { self.base = base }

    /// Every `send` so far, one element per call.
    var sends: [[UInt8]] { writes.withLock { $0 } }

    func send(_ bytes: [UInt8]) async throws {
        writes.withLock { $0.append(bytes) }
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
