import MailTransport
import Synchronization

/// Push: IDLE (RFC 2177).
extension IMAPClient {
    /// `IDLE` until the server reports a change or `timeout` passes, then `DONE` (RFC 2177 §3).
    ///
    /// ```swift
    /// _ = try await client.select(.inbox)
    /// switch try await client.idle(timeout: .seconds(25 * 60)) {   // below the 29-minute limit
    /// case .changed(let updates): /* EXISTS: new mail; fetch it */
    /// case .timedOut: /* nothing new; idle again */
    /// }
    /// ```
    ///
    /// Changes are `EXISTS`, `EXPUNGE`, `VANISHED` and `FETCH` (flag changes); the selected
    /// mailbox's message count follows them. Every read still has the connection's read timeout,
    /// so `timeout` must be shorter than `Timeouts.read`; RFC 2177 §3 asks clients to end IDLE
    /// at least every 29 minutes.
    ///
    /// - Parameter clock: the clock that measures `timeout` (a test clock in tests).
    /// - Throws: `.notSupported` when the server lacks IDLE; `.invalidState` without a selected
    ///   mailbox is allowed by RFC 2177 but pointless, so it is only refused before login.
    public func idle(timeout: Duration, clock: any Clock<Duration> = ContinuousClock()) async throws -> IMAPIdleResult {
        try await perform {
            guard capabilities.idle else {
                throw SessionContinuesError(error: IMAPError(.notSupported, detail: "the server does not offer IDLE"))
            }
            let tag = try await send(.idle)
            var updates: [IMAPUntaggedResponse] = []
            waiting: while true {
                switch try await readAction() {
                case .continuation: break waiting
                case .data(let data):
                    absorb(data)
                    if Self.isChange(data) { updates.append(data) }
                case .failed(_, _, let error): throw SessionContinuesError(error: error)
                default: throw IMAPError(.malformedResponse, detail: "unexpected answer to IDLE")
                }
            }
            let done = IdleTerminator(connection: connection)
            if !updates.isEmpty { try await done.sendOnce() }
            let timer = Task {
                try await clock.sleep(for: timeout)
                try await done.sendOnce()
            }
            defer { timer.cancel() }
            while true {
                switch try await readAction() {
                case .data(let data):
                    absorb(data)
                    guard Self.isChange(data) else { continue }
                    updates.append(data)
                    try await done.sendOnce()
                case .completed(_, let tagged) where tagged.tag == tag:
                    return updates.isEmpty ? .timedOut : .changed(updates)
                case .failed(_, _, let error):
                    throw SessionContinuesError(error: error)
                default:
                    throw IMAPError(.malformedResponse, detail: "unexpected answer during IDLE")
                }
            }
        }
    }

    static func isChange(_ data: IMAPUntaggedResponse) -> Bool {
        switch data {
        case .exists, .expunge, .vanished, .fetch: true
        default: false
        }
    }
}

/// Sends IDLE's `DONE` exactly once, whether the timer or the client gets there first.
final class IdleTerminator: Sendable {
    private let connection: any MailConnection
    private let sent = Mutex(false)

    init(connection: any MailConnection) { self.connection = connection }

    func sendOnce() async throws {
        let first = sent.withLock { sent in
            defer { sent = true }
            return !sent
        }
        if first { try await connection.send(Array("DONE\r\n".utf8)) }
    }
}
