import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One DNS request over UDP: send a datagram, wait for the reply that carries our ID.
///
/// The socket is non-blocking and `connect`ed to the server, so the kernel drops datagrams
/// from any other address; the reply is awaited with a Dispatch read source (epoll) on a
/// private serial queue, never blocking Swift's cooperative pool. All state is touched on
/// that queue only. Replies whose ID differs (late answers to earlier attempts, or spoofing
/// attempts) are ignored until the timeout.
final class UDPExchange: @unchecked Sendable {
    private let queue = DispatchQueue(label: "AutoDiscovery.DNS.UDP")
    private var descriptor: Int32 = -1
    private var source: (any DispatchSourceRead)?
    private var continuation: CheckedContinuation<[UInt8], any Error>?
    private var finished = false

    /// Sends `query` to `server` and returns the first reply whose first two bytes equal the query's.
    static func exchange(_ query: [UInt8], with server: DNSServerAddress, timeout: Duration) async throws -> [UInt8] {
        let exchange = UDPExchange()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                exchange.queue.async {
                    exchange.start(query, server: server, timeout: timeout, continuation: continuation)
                }
            }
        } onCancel: {
            exchange.queue.async { exchange.finish(.failure(DiscoveryError(.cancelled, "DNS query cancelled"))) }
        }
    }

    private func start(
        _ query: [UInt8], server: DNSServerAddress, timeout: Duration,
        continuation: CheckedContinuation<[UInt8], any Error>
    ) {
        // Cancelled before the query started: the cancel handler ran first and found no continuation.
        guard !finished else { return continuation.resume(throwing: DiscoveryError(.cancelled, "DNS query cancelled")) }
        self.continuation = continuation
        guard let address = SocketAddress(host: server.host, port: server.port) else {
            return finish(.failure(DiscoveryError(.network, "\(server) is not an IP address")))
        }
        let socketType = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        descriptor = socket(address.family, socketType, 0)
        guard descriptor >= 0 else { return finish(.failure(DiscoveryError(.network, "cannot create a UDP socket"))) }
        let fd = descriptor
        let connected = address.withSockaddr { Glibc.connect(fd, $0, $1) } == 0
        let sent = connected && query.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == query.count
        guard sent else {
            let reason = String(cString: strerror(errno))
            return finish(.failure(DiscoveryError(.network, "sending to DNS server \(server): \(reason)")))
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.readAvailable(expecting: Array(query.prefix(2))) }
        source.setCancelHandler { _ = Glibc.close(fd) }
        self.source = source
        source.resume()
        queue.asyncAfter(deadline: .now() + .nanoseconds(timeout.nanosecondsClamped)) { [weak self] in
            self?.finish(.failure(DiscoveryError(.dnsTimedOut, "no answer from \(server) within \(timeout)")))
        }
    }

    private func readAvailable(expecting id: [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !finished {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                // ICMP port unreachable arrives as ECONNREFUSED on a connected UDP socket.
                return finish(.failure(DiscoveryError(.network, "DNS server: \(String(cString: strerror(errno)))")))
            }
            guard count >= 2, buffer[0] == id[0], buffer[1] == id[1] else { continue }
            return finish(.success(Array(buffer[0..<count])))
        }
    }

    private func finish(_ result: Result<[UInt8], any Error>) {
        guard !finished else { return }
        finished = true
        if let source {
            source.cancel()
        } else if descriptor >= 0 {
            _ = Glibc.close(descriptor)
        }
        source = nil
        continuation?.resume(with: result)
        continuation = nil
    }
}
