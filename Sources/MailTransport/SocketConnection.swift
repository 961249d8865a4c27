import COpenSSL
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A TCP connection with optional TLS, driven by Dispatch read and write sources (epoll on Linux).
///
/// The socket is non-blocking; nothing here blocks a thread of Swift's cooperative pool. All
/// mutable state lives on one serial queue. Each operation (receive, send, handshake) is a pending
/// continuation that the queue retries whenever the socket becomes readable or writable, with a
/// timer for its timeout. Cancelling the task that waits closes the connection.
public final class SocketConnection: MailConnection, @unchecked Sendable {
    private enum Interest { case readable, writable }

    private struct PendingReceive {
        var maximumCount: Int
        var continuation: CheckedContinuation<[UInt8]?, any Error>
        var waitsFor: Interest = .readable
        var generation: UInt64
    }

    private struct PendingSend {
        var bytes: [UInt8]
        var offset = 0
        var continuation: CheckedContinuation<Void, any Error>
        var waitsFor: Interest = .writable
        var generation: UInt64
    }

    private struct PendingHandshake {
        enum Kind { case tcpConnect, tlsClient(TLSSession), tlsServer(TLSSession) }
        var kind: Kind
        var continuation: CheckedContinuation<Void, any Error>
        var waitsFor: Interest = .writable
        var generation: UInt64
    }

    private struct Snapshot {
        var isSecure = false
        var peerCertificate: CertificateSummary?
    }

    private let queue: DispatchQueue
    private let descriptor: Int32
    private let readSource: any DispatchSourceRead
    private let writeSource: any DispatchSourceWrite
    private var readSourceRunning = false
    private var writeSourceRunning = false
    private var tls: TLSSession?
    private var isClosed = false
    private var receiveOperation: PendingReceive?
    private var sendOperation: PendingSend?
    private var handshakeOperation: PendingHandshake?
    private var generation: UInt64 = 0
    private let snapshot = Mutex(Snapshot())

    /// Time limits used for every operation on this connection.
    public let timeouts: Timeouts
    /// A label for errors: the host and port of the peer.
    public let peerDescription: String

    /// Takes ownership of a connected (or connecting) socket; it is made non-blocking.
    package init(descriptor: Int32, timeouts: Timeouts, peerDescription: String) {
        self.descriptor = descriptor
        self.timeouts = timeouts
        self.peerDescription = peerDescription
        let queue = DispatchQueue(label: "MailTransport.SocketConnection")
        self.queue = queue
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        readSource = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        writeSource = DispatchSource.makeWriteSource(fileDescriptor: descriptor, queue: queue)
        readSource.setEventHandler { [weak self] in self?.pump() }
        writeSource.setEventHandler { [weak self] in self?.pump() }
        let cancelled = Atomic<Int>(0)
        let finish: @Sendable () -> Void = {
            if cancelled.add(1, ordering: .acquiringAndReleasing).newValue == 2 { _ = Glibc.close(descriptor) }
        }
        readSource.setCancelHandler(handler: finish)
        writeSource.setCancelHandler(handler: finish)
    }

    deinit {
        if !isClosed {
            tls?.free()
            cancelSources()
        }
    }

    public var isSecure: Bool { snapshot.withLock { $0.isSecure } }
    public var peerCertificate: CertificateSummary? { snapshot.withLock { $0.peerCertificate } }

    // MARK: - MailConnection

    public func send(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        // Fast path: most writes fit in the socket buffer at once. Trying them under `queue.sync`
        // (which runs on the calling thread when the queue is idle) spares the hop to the queue
        // and back through a continuation; only a write that must wait goes the long way.
        let start = try queue.sync { () throws -> Int in
            guard !isClosed else { throw Self.closedError }
            guard sendOperation == nil, handshakeOperation == nil else { return 0 }
            let (offset, _, failure) = performWrite(bytes, from: 0)
            if let failure { throw failure }
            return offset
        }
        if start == bytes.count { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                queue.async {
                    guard !self.isClosed else { return continuation.resume(throwing: Self.closedError) }
                    precondition(self.sendOperation == nil, "one send at a time on a MailConnection")
                    let generation = self.nextGeneration()
                    self.sendOperation = PendingSend(
                        bytes: bytes, offset: start, continuation: continuation, generation: generation)
                    self.armTimeout(self.timeouts.write, generation: generation, what: "sending")
                    self.pump()
                }
            }
        } onCancel: {
            self.close()
        }
    }

    public func receive(maximumCount: Int) async throws -> [UInt8]? {
        // Fast path: during a transfer data is usually waiting already; read it under
        // `queue.sync` and return without a hop through the queue and a continuation.
        let immediate = try queue.sync { () throws -> ReadOutcome? in
            guard !isClosed else { throw Self.closedError }
            guard receiveOperation == nil, handshakeOperation == nil else { return nil }
            let outcome = performRead(maximumCount: max(1, maximumCount))
            if case .wait = outcome { return nil }
            return outcome
        }
        switch immediate {
        case .data(let data)?: return data
        case .endOfStream?: return nil
        case .failure(let error)?: throw error
        case .wait?, nil: break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
                queue.async {
                    guard !self.isClosed else { return continuation.resume(throwing: Self.closedError) }
                    precondition(self.receiveOperation == nil, "one receive at a time on a MailConnection")
                    let generation = self.nextGeneration()
                    self.receiveOperation = PendingReceive(
                        maximumCount: max(1, maximumCount), continuation: continuation, generation: generation)
                    self.armTimeout(self.timeouts.read, generation: generation, what: "waiting for the server")
                    self.pump()
                }
            }
        } onCancel: {
            self.close()
        }
    }

    public func startTLS(serverName: String, policy: TLSPolicy) async throws {
        let session = try TLSSession.client(descriptor: descriptor, serverName: serverName, policy: policy)
        try await handshake(.tlsClient(session))
        let summary = session.peerCertificateSummary()
        if let failure = session.verificationFailure(serverName: serverName, policy: policy, certificate: summary) {
            close()
            throw failure
        }
        snapshot.withLock {
            $0.isSecure = true
            $0.peerCertificate = summary
        }
    }

    /// The server side of a TLS handshake (for test servers in MailTesting).
    package func acceptTLS(identity: TLSServerIdentity) async throws {
        let session = try TLSSession.server(descriptor: descriptor, identity: identity)
        try await handshake(.tlsServer(session))
        snapshot.withLock { $0.isSecure = true }
    }

    /// Waits for a non-blocking `connect` to finish.
    package func finishConnect() async throws {
        try await handshake(.tcpConnect)
    }

    public func close() {
        queue.async {
            guard !self.isClosed else { return }
            self.isClosed = true
            if let tls = self.tls {
                tls.shutdown()
                tls.free()
                self.tls = nil
            }
            if case .tlsClient(let session)? = self.handshakeOperation?.kind { session.free() }
            if case .tlsServer(let session)? = self.handshakeOperation?.kind { session.free() }
            self.failAll(Self.closedError)
            self.cancelSources()
        }
    }

    // MARK: - The queue's machinery

    private static var closedError: TransportError { TransportError(.cancelled, "the connection was closed") }

    private func handshake(_ kind: PendingHandshake.Kind) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                queue.async {
                    guard !self.isClosed else {
                        switch kind {
                        case .tlsClient(let session), .tlsServer(let session): session.free()
                        case .tcpConnect: break
                        }
                        return continuation.resume(throwing: Self.closedError)
                    }
                    let generation = self.nextGeneration()
                    self.handshakeOperation = PendingHandshake(kind: kind, continuation: continuation, generation: generation)
                    self.armTimeout(self.timeouts.connect, generation: generation, what: "connecting")
                    self.pump()
                }
            }
        } onCancel: {
            self.close()
        }
    }

    private func nextGeneration() -> UInt64 {
        generation &+= 1
        return generation
    }

    private func armTimeout(_ duration: Duration, generation: UInt64, what: String) {
        queue.asyncAfter(deadline: .now() + .nanoseconds(duration.nanosecondsClamped)) { [weak self] in
            guard let self, !self.isClosed else { return }
            let error = TransportError(.timedOut, "\(what) \(self.peerDescription) took longer than \(duration)")
            if let operation = self.receiveOperation, operation.generation == generation {
                self.receiveOperation = nil
                operation.continuation.resume(throwing: error)
            } else if let operation = self.sendOperation, operation.generation == generation {
                self.sendOperation = nil
                operation.continuation.resume(throwing: error)
            } else if let operation = self.handshakeOperation, operation.generation == generation {
                self.handshakeOperation = nil
                if case .tlsClient(let session) = operation.kind { session.free() }
                if case .tlsServer(let session) = operation.kind { session.free() }
                operation.continuation.resume(throwing: error)
            }
            self.updateSources()
        }
    }

    /// Retries every pending operation, then arms the sources for what they wait for.
    private func pump() {
        guard !isClosed else { return }
        if handshakeOperation != nil { stepHandshake() }
        if receiveOperation != nil { stepReceive() }
        if sendOperation != nil { stepSend() }
        updateSources()
    }

    /// What one read attempt gave.
    private enum ReadOutcome {
        case data([UInt8])
        case endOfStream
        case wait(Interest)
        case failure(any Error)
    }

    /// Reads what is available now, without waiting. Runs on the queue (or under `queue.sync`).
    private func performRead(maximumCount: Int) -> ReadOutcome {
        var outcome = ReadOutcome.wait(.readable)
        let data = [UInt8](unsafeUninitializedCapacity: maximumCount) { buffer, count in
            count = 0
            if let tls {
                // One SSL_read returns at most one TLS record (16 KiB): keep reading while records
                // are at hand, so a large transfer costs few trips through the queue.
                while count < maximumCount {
                    switch tls.read(into: buffer.baseAddress! + count, count: maximumCount - count) {
                    case .done(let n):
                        count += n
                        continue
                    case .wantRead: if count == 0 { outcome = .wait(.readable) }
                    case .wantWrite: if count == 0 { outcome = .wait(.writable) }
                    case .closed: if count == 0 { outcome = .endOfStream }
                    case .failed(let error): if count == 0 { outcome = .failure(error) }
                    }
                    break
                }
                return
            }
            while true {
                let n = recv(descriptor, buffer.baseAddress!, maximumCount, 0)
                if n > 0 {
                    count = n
                } else if n == 0 {
                    outcome = .endOfStream
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    outcome = .wait(.readable)
                } else {
                    outcome = .failure(SocketConnector.error(errno: errno, doing: "reading from \(peerDescription)"))
                }
                break
            }
        }
        return data.isEmpty ? outcome : .data(data)
    }

    private func stepReceive() {
        guard var operation = receiveOperation else { return }
        switch performRead(maximumCount: operation.maximumCount) {
        case .data(let data):
            receiveOperation = nil
            operation.continuation.resume(returning: data)
        case .endOfStream:
            receiveOperation = nil
            operation.continuation.resume(returning: nil)
        case .failure(let error):
            receiveOperation = nil
            operation.continuation.resume(throwing: error)
        case .wait(let interest):
            operation.waitsFor = interest
            receiveOperation = operation
        }
    }

    /// Writes as much of `bytes` from `offset` as the socket takes now. Returns the new offset,
    /// what to wait for when not done, or the failure.
    private func performWrite(_ bytes: [UInt8], from start: Int) -> (offset: Int, waitsFor: Interest?, failure: (any Error)?) {
        var offset = start
        var waitsFor: Interest?
        var failure: (any Error)?
        bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let pointer = buffer.baseAddress! + offset
                let remaining = buffer.count - offset
                if let tls {
                    switch tls.write(pointer, count: remaining) {
                    case .done(let n): offset += n; continue
                    case .wantRead: waitsFor = .readable
                    case .wantWrite: waitsFor = .writable
                    case .closed: failure = TransportError(.closedByPeer, "\(peerDescription) closed the connection")
                    case .failed(let error): failure = error
                    }
                    return
                }
                let n = Glibc.send(descriptor, pointer, remaining, Int32(MSG_NOSIGNAL))
                if n >= 0 {
                    offset += n
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    waitsFor = .writable
                    return
                } else {
                    failure = SocketConnector.error(errno: errno, doing: "writing to \(peerDescription)")
                    return
                }
            }
        }
        return (offset, waitsFor, failure)
    }

    private func stepSend() {
        guard var operation = sendOperation else { return }
        let (offset, waitsFor, failure) = performWrite(operation.bytes, from: operation.offset)
        operation.offset = offset
        if let failure {
            sendOperation = nil
            operation.continuation.resume(throwing: failure)
        } else if offset == operation.bytes.count {
            sendOperation = nil
            operation.continuation.resume()
        } else {
            operation.waitsFor = waitsFor ?? .writable
            sendOperation = operation
        }
    }

    private func stepHandshake() {
        guard var operation = handshakeOperation else { return }
        switch operation.kind {
        case .tcpConnect:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            _ = getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == EINPROGRESS || error == EALREADY {
                operation.waitsFor = .writable
                handshakeOperation = operation
                return
            }
            // Writable with no error means connected; but a first pump before any event must wait.
            var address = sockaddr_storage()
            var addressLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let connected = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(descriptor, $0, &addressLength) }
            }
            handshakeOperation = nil
            if error != 0 {
                operation.continuation.resume(
                    throwing: SocketConnector.error(errno: error, doing: "connecting to \(peerDescription)"))
            } else if connected == 0 {
                operation.continuation.resume()
            } else if errno == ENOTCONN {
                operation.waitsFor = .writable
                handshakeOperation = operation
            } else {
                operation.continuation.resume(
                    throwing: SocketConnector.error(errno: errno, doing: "connecting to \(peerDescription)"))
            }
        case .tlsClient(let session), .tlsServer(let session):
            switch session.handshake() {
            case .done:
                handshakeOperation = nil
                tls = session
                operation.continuation.resume()
            case .wantRead:
                operation.waitsFor = .readable
                handshakeOperation = operation
            case .wantWrite:
                operation.waitsFor = .writable
                handshakeOperation = operation
            case .closed:
                handshakeOperation = nil
                session.free()
                operation.continuation.resume(
                    throwing: TransportError(.tlsHandshakeFailed, "\(peerDescription) closed the connection during the TLS handshake"))
            case .failed(let error):
                handshakeOperation = nil
                let summary = session.peerCertificateSummary()
                session.free()
                var failure = error
                if failure.certificate == nil { failure.certificate = summary }
                operation.continuation.resume(throwing: failure)
            }
        }
    }

    private func updateSources() {
        guard !isClosed else { return }
        var wantsReadable = false
        var wantsWritable = false
        for interest in [receiveOperation?.waitsFor, sendOperation?.waitsFor, handshakeOperation?.waitsFor] {
            switch interest {
            case .readable?: wantsReadable = true
            case .writable?: wantsWritable = true
            case nil: break
            }
        }
        if wantsReadable != readSourceRunning {
            readSourceRunning = wantsReadable
            if wantsReadable { readSource.resume() } else { readSource.suspend() }
        }
        if wantsWritable != writeSourceRunning {
            writeSourceRunning = wantsWritable
            if wantsWritable { writeSource.resume() } else { writeSource.suspend() }
        }
    }

    private func failAll(_ error: TransportError) {
        if let operation = receiveOperation {
            receiveOperation = nil
            operation.continuation.resume(throwing: error)
        }
        if let operation = sendOperation {
            sendOperation = nil
            operation.continuation.resume(throwing: error)
        }
        if let operation = handshakeOperation {
            handshakeOperation = nil
            operation.continuation.resume(throwing: error)
        }
    }

    /// Cancels both sources; the descriptor is closed when both cancel handlers have run.
    private func cancelSources() {
        readSource.cancel()
        writeSource.cancel()
        if !readSourceRunning { readSource.resume() }
        if !writeSourceRunning { writeSource.resume() }
        readSourceRunning = true
        writeSourceRunning = true
    }
}
