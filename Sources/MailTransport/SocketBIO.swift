import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An OpenSSL BIO over a non-blocking socket that sends with `MSG_NOSIGNAL`.
///
/// OpenSSL's own socket BIO writes with `write(2)`: a peer that resets the connection would then
/// raise SIGPIPE, whose default action ends the host process. A library must not change the
/// process's signal handling, so TLS goes through this BIO instead and a reset is an error.
enum SocketBIO {
    /// The BIO method, made once (a static `let` is initialised exactly once, thread-safely) and
    /// never changed afterwards, so sharing it between threads is safe.
    nonisolated(unsafe) private static let method: OpaquePointer? = {
        guard let method = BIO_meth_new(BIO_get_new_index() | maillink_BIO_TYPE_SOURCE_SINK(), "maillink socket") else {
            return nil
        }
        _ = BIO_meth_set_write(method) { bio, data, length in
            let descriptor = Int32(Int(bitPattern: BIO_get_data(bio)))
            maillink_BIO_clear_retry_flags(bio)
            var written: Int
            repeat {
                written = send(descriptor, data, Int(length), Int32(MSG_NOSIGNAL))
            } while written < 0 && errno == EINTR
            if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { maillink_BIO_set_retry_write(bio) }
            return Int32(written)
        }
        _ = BIO_meth_set_read(method) { bio, data, length in
            let descriptor = Int32(Int(bitPattern: BIO_get_data(bio)))
            maillink_BIO_clear_retry_flags(bio)
            var received: Int
            repeat {
                received = recv(descriptor, data, Int(length), 0)
            } while received < 0 && errno == EINTR
            if received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { maillink_BIO_set_retry_read(bio) }
            return Int32(received)
        }
        _ = BIO_meth_set_ctrl(method) { _, command, _, _ in command == maillink_BIO_CTRL_FLUSH() ? 1 : 0 }
        _ = BIO_meth_set_create(method) { bio in
            BIO_set_init(bio, 1)
            return 1
        }
        return method
    }()

    /// A BIO over `descriptor`; the BIO does not close it.
    static func make(descriptor: Int32) -> OpaquePointer? {
        guard let method, let bio = BIO_new(method) else { return nil }
        BIO_set_data(bio, UnsafeMutableRawPointer(bitPattern: Int(descriptor)))
        return bio
    }
}
