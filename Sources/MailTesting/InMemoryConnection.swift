import MailTransport
import Synchronization

/// One end of an in-memory byte pipe: what one end sends, the other receives.
///
/// ```swift
/// let (client, server) = InMemoryConnection.makePair()
/// // give `client` to a protocol client; a fake server (or a test) drives `server`
/// ```
///
/// STARTTLS is simulated: ``startTLS(serverName:policy:)`` marks both ends secure (or fails with
/// the error the pair was made with), so clients' upgrade logic is tested without certificates.
/// ``finish()`` reports bytes that one end sent and the other never read.
public final class InMemoryConnection: MailConnection, ServerSideConnection, @unchecked Sendable {
    /// What a simulated STARTTLS does.
    public enum SimulatedTLS: Sendable {
        /// The upgrade succeeds; the client sees `certificate` as the peer's.
        case succeeds(certificate: CertificateSummary? = nil)
        /// The upgrade fails with this error (for example a certificate failure).
        case fails(TransportError)
    }

    private let pipe: Pipe
    private let side: Int

    private init(pipe: Pipe, side: Int) {
        self.pipe = pipe
        self.side = side
    }

    /// Two connected ends. `readTimeout`, when set, makes a receive that waits longer fail with
    /// ``TransportError/Code/timedOut`` (as a socket's read timeout would). Both ends report
    /// ``timeouts`` with that read timeout (or the default) and `minimumTransferRate`, which
    /// protocol clients use for the overall bound of each exchange.
    public static func makePair(
        tls: SimulatedTLS = .succeeds(),
        readTimeout: Duration? = nil,
        minimumTransferRate: Int = Timeouts.defaultMinimumTransferRate
    ) -> (client: InMemoryConnection, server: InMemoryConnection) {
        let timeouts = Timeouts(read: readTimeout ?? Timeouts.default.read, minimumTransferRate: minimumTransferRate)
        let pipe = Pipe(tls: tls, readTimeout: readTimeout, timeouts: timeouts)
        return (InMemoryConnection(pipe: pipe, side: 0), InMemoryConnection(pipe: pipe, side: 1))
    }

    public var isSecure: Bool { pipe.state.withLock { $0.isSecure } }

    /// The read timeout and transfer rate the pair was made with.
    public var timeouts: Timeouts { pipe.timeouts }

    public var peerCertificate: CertificateSummary? {
        pipe.state.withLock { state in
            guard state.isSecure, case .succeeds(let certificate) = state.tls else { return nil }
            return certificate
        }
    }

    /// How many times STARTTLS was performed on this pair.
    public var startTLSCount: Int { pipe.state.withLock { $0.startTLSCount } }

    public func send(_ bytes: [UInt8]) async throws {
        try sendNow(bytes)
    }

    /// Sends without suspending (an in-memory pipe never waits for room).
    public func sendNow(_ bytes: [UInt8]) throws {
        let waiter: (CheckedContinuation<[UInt8]?, any Error>, [UInt8])? = try pipe.state.withLock { state in
            guard !state.closed[side], !state.closed[1 - side] else {
                throw TransportError(
                    state.closed[side] ? .cancelled : .closedByPeer, "the in-memory connection is closed")
            }
            state.sentCount[side] += bytes.count
            if let waiter = state.waiting[1 - side] {
                state.waiting[1 - side] = nil
                let count = min(bytes.count, state.waitingMaximum[1 - side])
                state.buffers[1 - side].append(contentsOf: bytes[count...])
                return (waiter, Array(bytes[..<count]))
            }
            state.buffers[1 - side].append(contentsOf: bytes)
            return nil
        }
        waiter?.0.resume(returning: waiter?.1)
    }

    public func receive(maximumCount: Int) async throws -> [UInt8]? {
        let timeout = pipe.readTimeout
        let side = self.side
        let pipe = self.pipe
        let token = Token()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                let immediate: Result<[UInt8]?, any Error>? = pipe.state.withLock { state in
                    if state.closed[side] {
                        return .failure(TransportError(.cancelled, "the in-memory connection is closed"))
                    }
                    if state.heads[side] < state.buffers[side].count {
                        return .success(state.take(side: side, maximumCount: maximumCount))
                    }
                    if state.closed[1 - side] { return .success(nil) }
                    precondition(state.waiting[side] == nil, "one receive at a time on a MailConnection")
                    state.waiting[side] = continuation
                    state.waitingMaximum[side] = max(1, maximumCount)
                    state.waitToken[side] = token
                    return nil
                }
                if let immediate { return continuation.resume(with: immediate) }
                if let timeout {
                    Task {
                        try? await Task.sleep(for: timeout)
                        pipe.expire(side: side, token: token, after: timeout)
                    }
                }
            }
        } onCancel: {
            self.close()
        }
    }

    public func startTLS(serverName: String, policy: TLSPolicy) async throws {
        let failure: TransportError? = pipe.state.withLock { state in
            switch state.tls {
            case .fails(let error): return error
            case .succeeds:
                state.isSecure = true
                state.startTLSCount += 1
                return nil
            }
        }
        if let failure {
            close()
            throw failure
        }
    }

    /// The server side of the simulated upgrade: succeeds once the client has upgraded.
    public func acceptTLS() async throws {
        let secure = pipe.state.withLock { state -> Bool in
            if case .succeeds = state.tls { state.isSecure = true; return true }
            return false
        }
        if !secure { throw TransportError(.tlsHandshakeFailed, "the simulated TLS upgrade was set to fail") }
    }

    public func close() {
        let (own, peer) = pipe.state.withLock { state in
            state.closed[side] = true
            defer { state.waiting = [nil, nil] }
            return (state.waiting[side], state.waiting[1 - side])
        }
        // Our own pending receive fails; the peer's sees the end of the stream.
        own?.resume(throwing: TransportError(.cancelled, "the in-memory connection is closed"))
        peer?.resume(returning: nil)
    }

    /// Bytes the peer sent that this end has not received yet.
    public var unreadByteCount: Int { pipe.state.withLock { $0.buffers[side].count - $0.heads[side] } }

    /// Takes everything the peer has sent so far without waiting.
    public func takeAvailable() -> [UInt8] {
        pipe.state.withLock { state in state.take(side: side, maximumCount: Int.max - state.heads[side]) }
    }

    /// Throws ``LeftoverBytesError`` when either direction holds bytes nobody read.
    public func finish() throws {
        let (mine, peers) = pipe.state.withLock { ($0.unread(side: side), $0.unread(side: 1 - side)) }
        if !mine.isEmpty || !peers.isEmpty {
            throw LeftoverBytesError(unreadHere: mine, unreadByPeer: peers)
        }
    }

    /// A receive waiting on the pipe, so a timeout can tell whether it is still the same one.
    private final class Token: Sendable {}

    private final class Pipe: Sendable {
        struct State {
            var buffers: [[UInt8]] = [[], []]
            var waiting: [CheckedContinuation<[UInt8]?, any Error>?] = [nil, nil]
            var waitToken: [Token?] = [nil, nil]
            var waitingMaximum = [1, 1]
            /// Where unread bytes start in each buffer (so that reading is not quadratic).
            var heads = [0, 0]

            /// Removes up to `maximumCount` unread bytes for `side`.
            mutating func take(side: Int, maximumCount: Int) -> [UInt8] {
                let end = min(buffers[side].count, heads[side] + maximumCount)
                let chunk = Array(buffers[side][heads[side]..<end])
                heads[side] = end
                if heads[side] == buffers[side].count {
                    buffers[side].removeAll(keepingCapacity: true)
                    heads[side] = 0
                } else if heads[side] > 1 << 20, heads[side] > buffers[side].count / 2 {
                    buffers[side].removeSubrange(0..<heads[side])
                    heads[side] = 0
                }
                return chunk
            }

            /// The unread bytes for `side`.
            func unread(side: Int) -> [UInt8] { Array(buffers[side][heads[side]...]) }
            var closed = [false, false]
            var sentCount = [0, 0]
            var isSecure = false
            var startTLSCount = 0
            var tls: SimulatedTLS
        }

        let state: Mutex<State>
        let readTimeout: Duration?
        let timeouts: Timeouts

        init(tls: SimulatedTLS, readTimeout: Duration?, timeouts: Timeouts) {
            state = Mutex(State(tls: tls))
            self.readTimeout = readTimeout
            self.timeouts = timeouts
        }

        func expire(side: Int, token: Token, after timeout: Duration) {
            let waiter = state.withLock { state -> CheckedContinuation<[UInt8]?, any Error>? in
                guard state.waitToken[side] === token, let waiter = state.waiting[side] else { return nil }
                state.waiting[side] = nil
                return waiter
            }
            waiter?.resume(throwing: TransportError(.timedOut, "no data within \(timeout)"))
        }
    }
}

/// Bytes left unread when a test finished: a sign that a client or server sent more than the
/// other side expected (or that the test did not check everything).
public struct LeftoverBytesError: Error, CustomStringConvertible {
    /// Bytes sent to the end `finish()` was called on that it never read.
    public var unreadHere: [UInt8]
    /// Bytes that end sent that its peer never read.
    public var unreadByPeer: [UInt8]

    public var description: String {
        "leftover bytes: unread here \(String(decoding: unreadHere.prefix(200), as: UTF8.self).debugDescription), "
            + "unread by the peer \(String(decoding: unreadByPeer.prefix(200), as: UTF8.self).debugDescription)"
    }
}
