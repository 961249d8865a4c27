import MailTransport
import Synchronization

/// A connector that narrows what a real server advertises in its EHLO `AUTH` line to one SASL
/// mechanism, and records what the client sends, so an interop test can force PLAIN or LOGIN
/// against a server that also offers stronger ones.
///
/// `SMTPClient` picks the strongest mechanism the server offers (the bench's Postfix offers
/// `PLAIN LOGIN CRAM-MD5`, so CRAM-MD5 wins) and has no public way to choose one; filtering the
/// advertisement is the only way to reach PLAIN and LOGIN through the public API. The filter
/// sits above TLS (it wraps the `MailConnection`), so it sees the cleartext of an encrypted session.
final class InteropSMTPMechanismFilter: MailConnector {
    /// The only mechanism left in `AUTH` lines (e.g. `PLAIN`); nil leaves them as they are.
    let mechanism: String?
    /// Every connection opened, in order, for inspecting what was sent.
    let opened = Mutex<[FilteringConnection]>([])

    init(keeping mechanism: String?) { self.mechanism = mechanism }

    func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let connection = FilteringConnection(
            wrapping: try await SocketConnector().connect(to: endpoint, tls: tls, timeouts: timeouts),
            keeping: mechanism)
        opened.withLock { $0.append(connection) }
        return connection
    }

    /// Everything the client sent on every connection, as text.
    var sentText: String {
        opened.withLock { $0.map { String(decoding: $0.sent, as: UTF8.self) }.joined() }
    }

    /// The connection wrapper: passes bytes through line by line, rewriting `250-AUTH …` and
    /// `250 AUTH …` to name only ``mechanism``.
    final class FilteringConnection: MailConnection {
        private let inner: any MailConnection
        private let mechanism: String?
        private struct State {
            var pending: [UInt8] = []
            var sent: [UInt8] = []
        }
        private let state = Mutex(State())

        init(wrapping inner: any MailConnection, keeping mechanism: String?) {
            self.inner = inner
            self.mechanism = mechanism?.uppercased()
        }

        /// The bytes sent so far.
        var sent: [UInt8] { state.withLock { $0.sent } }

        func send(_ bytes: [UInt8]) async throws {
            state.withLock { $0.sent += bytes }
            try await inner.send(bytes)
        }

        func receive(maximumCount: Int) async throws -> [UInt8]? {
            while true {
                let complete: [UInt8]? = state.withLock { state in
                    guard let lastLineFeed = state.pending.lastIndex(of: 0x0A) else { return nil }
                    let lines = Array(state.pending[...lastLineFeed])
                    state.pending.removeSubrange(...lastLineFeed)
                    return lines
                }
                if let complete { return rewrite(complete) }
                guard let bytes = try await inner.receive(maximumCount: maximumCount) else {
                    let rest = state.withLock { state in
                        defer { state.pending.removeAll() }
                        return state.pending
                    }
                    return rest.isEmpty ? nil : rest
                }
                state.withLock { $0.pending += bytes }
            }
        }

        func startTLS(serverName: String, policy: TLSPolicy) async throws {
            guard state.withLock({ $0.pending.isEmpty }) else {
                throw TransportError(.dataBeforeTLS, "bytes received before the TLS handshake")
            }
            try await inner.startTLS(serverName: serverName, policy: policy)
        }

        var isSecure: Bool { inner.isSecure }
        var peerCertificate: CertificateSummary? { inner.peerCertificate }
        func close() { inner.close() }

        /// Rewrites complete lines; works on bytes, since Swift's `String` sees "\r\n" as one character.
        private func rewrite(_ bytes: [UInt8]) -> [UInt8] {
            guard let mechanism else { return bytes }
            var output: [UInt8] = []
            for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast() {
                let text = String(decoding: line, as: UTF8.self).uppercased()
                if text.hasPrefix("250-AUTH ") || text.hasPrefix("250 AUTH ") {
                    let offered = text.dropFirst(9).split(whereSeparator: { $0 == " " || $0 == "\r" })
                    let kept = offered.filter { $0 == mechanism }
                    output += Array(line.prefix(9)) + Array(kept.joined(separator: " ").utf8) + [0x0D, 0x0A]
                } else {
                    output += Array(line) + [0x0A]
                }
            }
            return output
        }
    }
}
