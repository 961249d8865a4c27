// On Linux the socket types and constants this file uses belong to the first module that includes
// their headers, COpenSSL's <arpa/inet.h>, once Foundation no longer brings Glibc's in first.
import COpenSSL
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A listening TCP socket on a loopback address, for test servers (MailTesting's fakes).
///
/// Accepted sockets become ``SocketConnection``s delivered through ``connections``.
package final class SocketListener: @unchecked Sendable {
    /// The port actually bound (useful after asking for port 0).
    package let port: Int
    /// The address listened on.
    package let host: String
    /// Accepted connections, in order.
    package let connections: AsyncStream<SocketConnection>

    private let descriptor: Int32
    private let source: any DispatchSourceRead
    private let continuation: AsyncStream<SocketConnection>.Continuation

    /// Binds `host` (an IPv4 or IPv6 literal: `127.0.0.1` or `::1`) and `port` (0 for any free port).
    package init(host: String = "127.0.0.1", port: Int = 0, timeouts: Timeouts = .default) throws {
        let isV6 = host.contains(":")
        let descriptor = socket(isV6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw SocketConnector.error(errno: errno, doing: "creating a socket") }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var status: Int32
        if isV6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        guard status == 0, listen(descriptor, 128) == 0 else {
            let error = SocketConnector.error(errno: errno, doing: "listening on \(host) port \(port)")
            _ = Glibc.close(descriptor)
            throw error
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let boundPort = withUnsafePointer(to: &bound) { pointer -> UInt16 in
            isV6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        self.port = Int(UInt16(bigEndian: boundPort))
        self.host = host
        self.descriptor = descriptor
        (connections, continuation) = AsyncStream.makeStream(of: SocketConnection.self)
        source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: DispatchQueue(label: "MailTransport.SocketListener"))
        let continuation = self.continuation
        let label = "\(host) port \(self.port)"
        source.setEventHandler {
            while true {
                let accepted = accept(descriptor, nil, nil)
                if accepted < 0 { break }
                _ = fcntl(accepted, F_SETFD, FD_CLOEXEC)
                continuation.yield(SocketConnection(descriptor: accepted, timeouts: timeouts, peerDescription: "client of \(label)"))
            }
        }
        source.setCancelHandler {
            _ = Glibc.close(descriptor)
            continuation.finish()
        }
        source.resume()
    }

    /// Stops accepting and closes the listening socket.
    package func close() {
        source.cancel()
    }

    deinit { source.cancel() }
}
