import Foundation
import MailAuth
import MailTesting
import MailTransport
import Testing

@testable import POP3Protocol

/// Throughput figures, printed, never asserted (timings depend on the machine). Run with
/// `MAILLINK_MEASURE=1 swift test --filter POP3ClientThroughputTests`.
@Suite("POP3Client throughput", .enabled(if: ProcessInfo.processInfo.environment["MAILLINK_MEASURE"] == "1"))
struct POP3ClientThroughputTests {
    @Test("messages per second over loopback TCP, with and without PIPELINING", arguments: [true, false])
    func loopback(pipelining: Bool) async throws {
        let count = 5000
        var configuration = FakePOP3Configuration()
        configuration.offersPipelining = pipelining
        let server = FakePOP3Server(configuration: configuration, accounts: SASLServerAccounts(passwords: ["u": "p"]))
        let body = String(repeating: "The quick brown fox jumps over the lazy dog, again and again.\n", count: 32)
        for number in 1...count {
            server.deliver(FakePOP3Message(uid: "uid-\(number)", text: "Subject: \(number)\n\n" + body), to: "u")
        }
        let listener = try server.listen()
        defer { listener.close() }
        let client = try await POP3Client.connect(
            to: listener.endpoint(security: .insecurePlaintext), timeouts: .all(.seconds(30)))
        try await client.authenticate(username: "u", password: "p", allowInsecureAuthentication: true)
        let sizes = try await client.listAll()
        let clock = ContinuousClock()
        let start = clock.now
        try await client.retrieveMany(sizes.map(\.number)) { _, _ in }
        let elapsed = clock.now - start
        try await client.quit()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let bytes = sizes.reduce(0) { $0 + $1.size }
        print(String(
            format: "pop3 loopback retrieveMany pipelining=%@: %d messages (%.1f MB) in %.3f s = %.0f msg/s, %.1f MB/s",
            pipelining ? "yes" : "no", count, Double(bytes) / 1e6, seconds, Double(count) / seconds,
            Double(bytes) / 1e6 / seconds))
    }

    @Test("client-side cost alone: answers already in memory, so only the client's parsing is timed")
    func clientOnly() async throws {
        let count = 20_000
        let embedded = EmbeddedConnection()
        embedded.pushInbound("+OK ready\r\n+OK\r\nPIPELINING\r\n.\r\n+OK\r\n+OK\r\n")
        let client = try await POP3Client.open(connection: embedded.connection, serverName: "x", security: .insecurePlaintext)
        try await client.authenticate(username: "u", password: "p", allowInsecureAuthentication: true)
        let message = "Subject: test\r\n\r\n" + String(repeating: "The quick brown fox jumps over the lazy dog, again and again.\r\n", count: 32)
        var stream: [UInt8] = []
        stream.reserveCapacity(count * (message.utf8.count + 32))
        for _ in 0..<count { stream += Array("+OK \(message.utf8.count) octets\r\n".utf8); stream += Array(message.utf8); stream += Array(".\r\n".utf8) }
        let clock = ContinuousClock()
        let start = clock.now
        // Fed in slices: the in-memory pipe moves its whole buffer on every receive, which would
        // dominate with 40 MB queued at once.
        let feeder = Task { [stream] in
            var offset = 0
            while offset < stream.count {
                if embedded.connection.unreadByteCount < 1 << 18 {
                    let end = min(offset + (1 << 18), stream.count)
                    embedded.pushInbound(Array(stream[offset..<end]))
                    offset = end
                } else {
                    await Task.yield()
                }
            }
        }
        try await client.retrieveMany(Array(1...count)) { _, _ in }
        let elapsed = clock.now - start
        await feeder.value
        _ = embedded.takeOutbound()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let bytes = Double(count * message.utf8.count)
        print(String(
            format: "pop3 client-only retrieveMany: %d messages (%.1f MB) in %.3f s = %.0f msg/s, %.1f MB/s",
            count, bytes / 1e6, seconds, Double(count) / seconds, bytes / 1e6 / seconds))
    }
}
