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
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                queue.async {
                    guard !self.isClosed else { return continuation.resume(throwing: Self.closedError) }
                    precondition(self.sendOperation == nil, "one send at a time on a MailConnection")
                    let generation = self.nextGeneration()
                    self.sendOperation = PendingSend(bytes: bytes, continuation: continuation, generation: generation)
                    self.armTimeout(self.timeouts.write, generation: generation, what: "sending")
                    self.pump()
                }
            }
        } onCancel: {
            self.close()
        }
    }

    public func receive(maximumCount: Int) async throws -> [UInt8]? {
        try await withTaskCancellationHandler {
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
        if let failure = session.verificationFailure(policy: policy, certificate: summary) {
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

    private func stepReceive() {
        guard var operation = receiveOperation else { return }
        var failure: (any Error)?
        var eof = false
        let data = [UInt8](unsafeUninitializedCapacity: operation.maximumCount) { buffer, count in
            count = 0
            if let tls {
                // One SSL_read returns at most one TLS record (16 KiB): keep reading while records
                // are at hand, so a large transfer costs few trips through the queue.
                while count < operation.maximumCount {
                    let result = tls.read(into: buffer.baseAddress! + count, count: operation.maximumCount - count)
                    switch result {
                    case .done(let n):
                        count += n
                        continue
                    case .wantRead: if count == 0 { operation.waitsFor = .readable }
                    case .wantWrite: if count == 0 { operation.waitsFor = .writable }
                    case .closed: eof = count == 0
                    case .failed(let error): if count == 0 { failure = error }
                    }
                    break
                }
                return
            }
            while true {
                let n = recv(descriptor, buffer.baseAddress!, operation.maximumCount, 0)
                if n > 0 {
                    count = n
                } else if n == 0 {
                    eof = true
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    operation.waitsFor = .readable
                } else {
                    failure = SocketConnector.error(errno: errno, doing: "reading from \(peerDescription)")
                }
                break
            }
        }
        if let failure {
            receiveOperation = nil
            operation.continuation.resume(throwing: failure)
        } else if eof {
            receiveOperation = nil
            operation.continuation.resume(returning: nil)
        } else if !data.isEmpty {
            receiveOperation = nil
            operation.continuation.resume(returning: data)
        } else {
            receiveOperation = operation
        }
    }

    private func stepSend() {
        guard var operation = sendOperation else { return }
        var failure: (any Error)?
        operation.bytes.withUnsafeBytes { bytes in
            while operation.offset < bytes.count {
                let pointer = bytes.baseAddress! + operation.offset
                let remaining = bytes.count - operation.offset
                if let tls {
                    switch tls.write(pointer, count: remaining) {
                    case .done(let n): operation.offset += n; continue
                    case .wantRead: operation.waitsFor = .readable
                    case .wantWrite: operation.waitsFor = .writable
                    case .closed: failure = TransportError(.closedByPeer, "\(peerDescription) closed the connection")
                    case .failed(let error): failure = error
                    }
                    return
                }
                let n = Glibc.send(descriptor, pointer, remaining, Int32(MSG_NOSIGNAL))
                if n >= 0 {
                    operation.offset += n
                } else if errno == EINTR {
                    continue
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    operation.waitsFor = .writable
                    return
                } else {
                    failure = SocketConnector.error(errno: errno, doing: "writing to \(peerDescription)")
                    return
                }
            }
        }
        if let failure {
            sendOperation = nil
            operation.continuation.resume(throwing: failure)
        } else if operation.offset == operation.bytes.count {
            sendOperation = nil
            operation.continuation.resume()
        } else {
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
