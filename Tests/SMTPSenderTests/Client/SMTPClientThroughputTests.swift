import Foundation
import MailTesting
import MailTransport
import Testing

@testable import SMTPSender

/// Throughput figures, printed, never asserted (timings depend on the machine). Run with
/// `MAILLINK_MEASURE=1 swift test --filter SMTPClientThroughputTests`.
@Suite("SMTPClient throughput", .enabled(if: ProcessInfo.processInfo.environment["MAILLINK_MEASURE"] == "1"))
struct SMTPClientThroughputTests {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A message of about `size` bytes: headers, then 76-character lines with bare LF line ends
    /// and some lines starting with a dot, so normalisation and stuffing both have work.
    static func message(size: Int) -> [UInt8] {
        var bytes = Array("From: a@example.com\nTo: b@example.org\nSubject: load\n\n".utf8)
        bytes.reserveCapacity(size + 100)
        let line = Array(String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", count: 3).prefix(76).utf8)
        var number = 0
        while bytes.count < size {
            if number % 100 == 0 { bytes.append(UInt8(ascii: ".")) }
            bytes += line
            bytes.append(0x0a)
            number += 1
        }
        return bytes
    }

    private func withLoopbackServer(
        _ body: (Endpoint, FakeSMTPServer) async throws -> Void
    ) async throws {
        let server = FakeSMTPServer(configuration: .init(maximumMessageSize: 64 << 20))
        let listener = try LoopbackListener()
        defer { listener.close() }
        let serving = Task { await server.serve(listener) }
        defer { serving.cancel() }
        try await body(listener.endpoint(security: .insecurePlaintext), server)
    }

    @Test("messages per second over loopback TCP, one connection, pipelined")
    func messagesPerSecond() async throws {
        try await withLoopbackServer { endpoint, server in
            let count = 2000
            let message = Self.message(size: 2048)
            let envelope = try SMTPEnvelope(from: "a@example.com", to: ["b@example.org"])
            let client = try await SMTPClient.connect(to: endpoint, timeouts: .all(.seconds(60)))
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<count { _ = try await client.send(envelope: envelope, message: message) }
            let elapsed = Self.seconds(clock.now - start)
            try await client.quit()
            #expect(server.receivedMessages.count == count)
            print(
                String(
                    format: "smtp loopback send: %d messages of %d bytes in %.3f s = %.0f msg/s", count, message.count,
                    elapsed, Double(count) / elapsed))
        }
    }

    @Test("one 30 MB message over loopback TCP")
    func largeMessage() async throws {
        try await withLoopbackServer { endpoint, server in
            let message = Self.message(size: 30 << 20)
            let envelope = try SMTPEnvelope(from: "a@example.com", to: ["b@example.org"])
            let client = try await SMTPClient.connect(to: endpoint, timeouts: .all(.seconds(120)))
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await client.send(envelope: envelope, message: message)
            let elapsed = Self.seconds(clock.now - start)
            try await client.quit()
            #expect(server.receivedMessages.first?.data.count ?? 0 > message.count)
            print(
                String(
                    format: "smtp loopback send: one %.1f MB message in %.3f s = %.1f MB/s",
                    Double(message.count) / 1e6, elapsed, Double(message.count) / 1e6 / elapsed))
        }
    }

    @Test("DATA encoding alone: 30 MB in 1 MiB chunks")
    func encoderAlone() {
        let message = Self.message(size: 30 << 20)
        let clock = ContinuousClock()
        let start = clock.now
        var encoder = SMTPDataEncoder()
        var chunk: [UInt8] = []
        var total = 0
        var offset = 0
        while offset < message.count {
            let end = min(message.count, offset + (1 << 20))
            chunk.removeAll(keepingCapacity: true)
            encoder.encode(message[offset..<end], into: &chunk)
            if end == message.count { encoder.finish(into: &chunk) }
            total += chunk.count
            offset = end
        }
        let elapsed = Self.seconds(clock.now - start)
        #expect(total > message.count)
        print(
            String(
                format: "smtp DATA encoder: %.1f MB in %.3f s = %.0f MB/s", Double(message.count) / 1e6, elapsed,
                Double(message.count) / 1e6 / elapsed))
    }
}
