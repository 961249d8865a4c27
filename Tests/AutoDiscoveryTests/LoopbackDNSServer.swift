import Foundation
import MailTesting
import MailTransport
import Synchronization

@testable import AutoDiscovery

#if canImport(Glibc)
    import Glibc
#endif

/// A tiny DNS responder on 127.0.0.1 for tests: UDP on a thread of its own (blocking calls
/// are fine in a test helper), TCP through MailTesting's ``LoopbackListener`` on the same port.
/// It parses queries with its own few lines (not the client's parser).
final class LoopbackDNSServer: Sendable {
    /// Builds the reply to a query (`tcp` says which transport asked); nil sends nothing.
    typealias Responder = @Sendable (_ query: [UInt8], _ tcp: Bool) -> [UInt8]?

    let port: Int
    private let udp: Int32
    private let tcp: LoopbackListener
    private let tcpServer: Task<Void, Never>
    private let counters: Counters

    final class Counters: Sendable {
        let stopped = Atomic<Bool>(false)
        let udpQueries = Atomic<Int>(0)
        let tcpQueries = Atomic<Int>(0)
    }

    /// Queries received over TCP.
    var tcpQueries: Int { counters.tcpQueries.load(ordering: .relaxed) }

    init(_ responder: @escaping Responder) throws {
        let tcp = try LoopbackListener(host: "127.0.0.1")
        self.tcp = tcp
        port = tcp.port
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        self.udp = udp
        let counters = Counters()
        self.counters = counters
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(udp, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw DiscoveryError(.network, "cannot bind UDP port \(port)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(udp, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let socket = udp
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !counters.stopped.load(ordering: .relaxed) {
                var peer = sockaddr_storage()
                var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
                let count = withUnsafeMutablePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(socket, &buffer, buffer.count, 0, $0, &length)
                    }
                }
                guard count > 0 else { continue }
                counters.udpQueries.add(1, ordering: .relaxed)
                guard let reply = responder(Array(buffer[0..<count]), false) else { continue }
                _ = withUnsafePointer(to: &peer) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket, reply, reply.count, 0, $0, length)
                    }
                }
            }
        }
        thread.start()
        tcpServer = Task {
            await tcp.serve { connection in
                var buffer: [UInt8] = []
                while let bytes = try? await connection.receive(maximumCount: 4096) {
                    buffer += bytes
                    guard buffer.count >= 2, buffer.count >= 2 + (Int(buffer[0]) << 8 | Int(buffer[1])) else {
                        continue
                    }
                    counters.tcpQueries.add(1, ordering: .relaxed)
                    let query = Array(buffer[2..<(2 + (Int(buffer[0]) << 8 | Int(buffer[1])))])
                    if let reply = responder(query, true) {
                        try? await connection.send([UInt8(reply.count >> 8), UInt8(reply.count & 0xff)] + reply)
                    }
                    break
                }
                connection.close()
            }
        }
    }

    var address: DNSServerAddress { DNSServerAddress(host: "127.0.0.1", port: port) }

    func stop() {
        counters.stopped.store(true, ordering: .relaxed)
        tcp.close()
        tcpServer.cancel()
        close(udp)
    }

    /// The question section of `query` (name, type) and its end offset, read by hand.
    static func question(of query: [UInt8]) -> (name: String, type: UInt16, end: Int) {
        var offset = 12
        var labels: [String] = []
        while offset < query.count, query[offset] != 0 {
            let length = Int(query[offset])
            labels.append(String(decoding: query[(offset + 1)..<min(query.count, offset + 1 + length)], as: UTF8.self))
            offset += 1 + length
        }
        let type = offset + 2 < query.count ? UInt16(query[offset + 1]) << 8 | UInt16(query[offset + 2]) : 0
        return (labels.joined(separator: "."), type, offset + 5)
    }

    /// A reply echoing the query's ID and question, with `answers` (already encoded records) and flags.
    static func reply(to query: [UInt8], flags: UInt16 = 0x8180, answerCount: Int, answers: [UInt8]) -> [UInt8] {
        let (_, _, end) = question(of: query)
        return [query[0], query[1], UInt8(flags >> 8), UInt8(flags & 0xff), 0, 1, 0, UInt8(answerCount), 0, 0, 0, 0]
            + query[12..<end] + answers
    }
}
