import Foundation
import MailTesting
import MailTransport

/// MailTransport's figures: the dot-terminated block reader over 100 MB in memory, and a 100 MB
/// TLS download over loopback beside `openssl s_client` fetching the same bytes from the same server.
enum TransportBenchmark {
    /// `block-reader [MB]`
    static func runBlockReader(arguments: [String]) async throws {
        let megabytes = Int(arguments.first ?? "") ?? 100
        let wire = makeMailBlock(bytes: megabytes << 20)
        let payloadBytes = Double(wire.count) / 1e6
        for (label, streaming) in [("in memory", false), ("streamed to a sink", true)] {
            var decoded = 0
            let time = try await Measure.best(of: 3) {
                let reader = BufferedReader(connection: ChunkServingConnection(wire, chunkSize: 65536), receiveSize: 65536)
                if streaming {
                    decoded = try await reader.readDotTerminatedBlock(maximumSize: Int.max) { _ in }
                } else {
                    decoded = try await reader.readDotTerminatedBlock(maximumSize: Int.max, expectedSize: wire.count).count
                }
            }
            Measure.report("block reader, \(label)", payloadBytes / time, "MB/s", note: "\(megabytes) MiB of mail lines, \(decoded) bytes decoded, best of 3")
        }
        Measure.report("block reader peak memory", Measure.peakMemoryMiB(), "MiB")
    }

    /// `tls-download [MB]`
    static func runTLSDownload(arguments: [String]) async throws {
        let megabytes = Int(arguments.first ?? "") ?? 100
        let authority = try TestCertificateAuthority()
        defer { authority.remove() }
        let certificate = try authority.issue()
        let listener = try LoopbackListener(certificate: certificate, implicitTLS: true)
        defer { listener.close() }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        let server = Task {
            await listener.serve { connection in
                for _ in 0..<megabytes { try? await connection.send(chunk) }
                connection.close()
            }
        }
        defer { server.cancel() }
        let total = Double(megabytes << 20) / 1e6
        let policy = TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile])
        let ours = try await Measure.best(of: 3) {
            let connection = try await SocketConnector().connect(to: listener.endpoint(security: .tls), tls: policy, timeouts: .default)
            var received = 0
            while let bytes = try await connection.receive(maximumCount: 1 << 18) { received += bytes.count }
            connection.close()
            guard received == megabytes << 20 else { throw TransportError(.closedByPeer, "short transfer: \(received)") }
        }
        Measure.report("TLS download, MailLink SocketConnection", total / ours, "MB/s", note: "\(megabytes) MiB over loopback, best of 3")
        guard Measure.available("openssl") else { return print("openssl s_client: not installed, no ratio") }
        var peer = Double.infinity
        for _ in 0..<3 {
            let run = try Measure.run(shell: "openssl s_client -quiet -verify_return_error -CAfile \(authority.caFile) -connect 127.0.0.1:\(listener.port) </dev/null >/dev/null 2>&1")
            if run.status == 0 { peer = min(peer, run.seconds) }
        }
        guard peer.isFinite else { return print("openssl s_client: failed, no ratio") }
        Measure.report("TLS download, openssl s_client", total / peer, "MB/s", note: "same server, whole process, best of 3")
        Measure.report("TLS download ratio MailLink / s_client", peer / ours, "x")
    }

    /// Realistic mail lines (0–78 characters, some starting with a dot), dot-stuffed, terminated.
    static func makeMailBlock(bytes: Int) -> [UInt8] {
        var generator = SplitMix64(seed: 42)
        let words = ["the", "message", "from", "server", "mail", "account", "Привет", "linked", "POP3", "folder", "and", "is", "a"]
            .map { Array($0.utf8) }
        var wire: [UInt8] = []
        wire.reserveCapacity(bytes + 200)
        while wire.count < bytes {
            let target = Int(generator.next() % 79)
            var line: [UInt8] = []
            if generator.next() % 40 == 0 { line.append(UInt8(ascii: ".")) }
            while line.count < target {
                line += words[Int(generator.next() % UInt64(words.count))]
                line.append(UInt8(ascii: " "))
            }
            if line.first == UInt8(ascii: ".") { wire.append(UInt8(ascii: ".")) }
            wire += line
            wire += [13, 10]
        }
        wire += Array(".\r\n".utf8)
        return wire
    }
}

/// A connection that hands out a prepared byte array in fixed chunks (as a socket would).
final class ChunkServingConnection: MailConnection, @unchecked Sendable {
    private let bytes: [UInt8]
    private let chunkSize: Int
    private var offset = 0

    init(_ bytes: [UInt8], chunkSize: Int) {
        self.bytes = bytes
        self.chunkSize = chunkSize
    }

    func send(_ bytes: [UInt8]) async throws {}
    func receive(maximumCount: Int) async throws -> [UInt8]? {
        guard offset < bytes.count else { return nil }
        let end = min(bytes.count, offset + min(chunkSize, maximumCount))
        defer { offset = end }
        return Array(bytes[offset..<end])
    }
    func startTLS(serverName: String, policy: TLSPolicy) async throws {}
    var isSecure: Bool { false }
    var peerCertificate: CertificateSummary? { nil }
    func close() {}
}

/// A small deterministic random generator, so every run measures the same data.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
