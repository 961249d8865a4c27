// On Linux the socket types and constants this file uses belong to the first module that includes
// their headers, COpenSSL's <arpa/inet.h>, once Foundation no longer brings Glibc's in first.
import COpenSSL
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The default ``MailConnector``: resolves the host, connects over TCP (IPv6 and IPv4, trying the
/// next address when one fails), and for ``Endpoint/Security-swift.enum/tls`` completes the TLS
/// handshake with certificate checks before returning.
///
/// Name resolution (`getaddrinfo`, which blocks) runs on a dedicated Dispatch queue, never on
/// Swift's cooperative pool; a resolution slower than the connect timeout is abandoned.
public struct SocketConnector: MailConnector {
    public init() {}

    public func connect(to endpoint: Endpoint, tls: TLSPolicy, timeouts: Timeouts) async throws -> any MailConnection {
        let addresses = try await Self.resolve(host: endpoint.host, port: endpoint.port, timeout: timeouts.connect)
        var failures: [TransportError] = []
        for address in addresses {
            try Task.checkCancellation()
            do {
                let connection = try await Self.connect(to: address, endpoint: endpoint, timeouts: timeouts)
                if endpoint.security == .tls {
                    do {
                        try await connection.startTLS(serverName: endpoint.host, policy: tls)
                    } catch {
                        connection.close()
                        throw error
                    }
                }
                return connection
            } catch let error as TransportError where Self.worthTryingNextAddress(error) {
                failures.append(error)
            }
        }
        // Report the most telling failure: a refusal says more than a time-out or an unreachable route.
        let preferred: [TransportError.Code] = [.connectionRefused, .timedOut, .unreachable]
        for code in preferred {
            if let failure = failures.first(where: { $0.code == code }) {
                var combined = failure
                if failures.count > 1 { combined.detail += " (\(failures.count) addresses tried)" }
                throw combined
            }
        }
        throw failures.first ?? TransportError(.nameNotFound, "\(endpoint.host) has no address")
    }

    /// The numeric addresses `host` resolves to (what a connection would try, in order), for a
    /// troubleshooting step that checks DNS on its own.
    public static func addresses(of host: String, port: Int, timeout: Duration = .seconds(15)) async throws -> [String] {
        try await resolve(host: host, port: port, timeout: timeout).map { $0.text }
    }

    private static func worthTryingNextAddress(_ error: TransportError) -> Bool {
        [.connectionRefused, .timedOut, .unreachable, .systemError].contains(error.code)
    }

    /// One resolved socket address.
    struct Address: @unchecked Sendable {
        var family: Int32
        var storage: sockaddr_storage
        var length: socklen_t
        var text: String
    }

    private static let resolverQueue = DispatchQueue(label: "MailTransport.resolver", attributes: .concurrent)

    /// Resolves on the resolver queue with a time limit.
    static func resolve(host: String, port: Int, timeout: Duration) async throws -> [Address] {
        let state = ResolutionState()
        return try await withCheckedThrowingContinuation { continuation in
            state.install(continuation)
            resolverQueue.asyncAfter(deadline: .now() + .nanoseconds(timeout.nanosecondsClamped)) {
                state.finish(.failure(TransportError(.nameResolutionFailed, "resolving \(host) took longer than \(timeout)")))
            }
            resolverQueue.async {
                state.finish(Result { try resolveBlocking(host: host, port: port) })
            }
        }
    }

    private static func resolveBlocking(host: String, port: Int) throws -> [Address] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = String(cString: gai_strerror(status))
            switch status {
            case EAI_NONAME, EAI_FAIL:
                throw TransportError(.nameNotFound, "\(host): \(reason)")
            default:
                throw TransportError(.nameResolutionFailed, "\(host): \(reason)")
            }
        }
        defer { freeaddrinfo(list) }
        var addresses: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var storage = sockaddr_storage()
            let length = entry.pointee.ai_addrlen
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(start: entry.pointee.ai_addr, count: Int(length)))
            }
            addresses.append(Address(
                family: entry.pointee.ai_family, storage: storage, length: length,
                text: numericHost(storage, length) + " port \(port)"))
            cursor = entry.pointee.ai_next
        }
        return addresses
    }

    private static func numericHost(_ storage: sockaddr_storage, _ length: socklen_t) -> String {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &text, socklen_t(text.count), nil, 0, NI_NUMERICHOST)
            }
        }
        return status == 0 ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
    }

    /// Opens a non-blocking socket and waits for the connect to complete.
    static func connect(to address: Address, endpoint: Endpoint, timeouts: Timeouts) async throws -> SocketConnection {
        let descriptor = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw error(errno: errno, doing: "creating a socket") }
        var storage = address.storage
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, address.length) }
        }
        let connectErrno = errno
        let connection = SocketConnection(
            descriptor: descriptor, timeouts: timeouts, peerDescription: "\(endpoint.host) (\(address.text))")
        if status != 0 && connectErrno != EINPROGRESS {
            connection.close()
            throw error(errno: connectErrno, doing: "connecting to \(endpoint.host) (\(address.text))")
        }
        do {
            try await connection.finishConnect()
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    /// Maps an `errno` to a ``TransportError``.
    static func error(errno code: Int32, doing what: String) -> TransportError {
        let reason = String(cString: strerror(code))
        switch code {
        case ECONNREFUSED: return TransportError(.connectionRefused, "\(what): \(reason)")
        case ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, ENETDOWN, EHOSTDOWN, EAFNOSUPPORT:
            return TransportError(.unreachable, "\(what): \(reason)")
        case ETIMEDOUT: return TransportError(.timedOut, "\(what): \(reason)")
        case ECONNRESET, EPIPE, ECONNABORTED: return TransportError(.closedByPeer, "\(what): \(reason)")
        default: return TransportError(.systemError, "\(what): \(reason)")
        }
    }
}

/// Resumes a resolution's continuation once, whichever of the answer and the timer comes first.
private final class ResolutionState: @unchecked Sendable {
    private let lock = NSLockLike()
    private var continuation: CheckedContinuation<[SocketConnector.Address], any Error>?

    func install(_ continuation: CheckedContinuation<[SocketConnector.Address], any Error>) {
        lock.withLock { self.continuation = continuation }
    }

    func finish(_ result: Result<[SocketConnector.Address], any Error>) {
        let continuation = lock.withLock { () -> CheckedContinuation<[SocketConnector.Address], any Error>? in
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(with: result)
    }
}

/// A pthread mutex, for the few places where state is touched from Dispatch callbacks.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
