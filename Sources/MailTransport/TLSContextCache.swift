import COpenSSL
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `SSL_CTX`s shared by connections with the same settings, client and server side.
///
/// Loading the system's trust store from its bundle file costs tens of milliseconds (see
/// ``SystemTrust`` for how that is avoided), so building a
/// context per connection made every HTTPS fetch and every probe pay it again; a server context
/// reads and parses its certificate chain and key from disk, which a listener paid on every
/// accepted connection. A client context depends only on the trust roots and the minimum version
/// (host names, SNI and pins are set per connection); a server context only on its certificate
/// and key files. Files are keyed with their size and modification time, so a replaced file gets
/// a new context. The cache holds a few entries and evicts the oldest.
final class TLSContextCache: Sendable {
    static let shared = TLSContextCache()

    private enum Key: Hashable {
        case client(systemTrust: SystemTrust?, caFiles: [String], stamps: [String], minimumVersion: TLSPolicy.MinimumVersion)
        case server(chain: String, key: String, stamps: [String])
    }

    private struct Entries: @unchecked Sendable {
        var contexts: [Key: OpaquePointer] = [:]
        var order: [Key] = []
    }

    private static let capacity = 8
    private let entries = Mutex(Entries())

    /// A client context for `policy`, with a reference the caller must release with `SSL_CTX_free`.
    func context(for policy: TLSPolicy) throws -> OpaquePointer {
        let systemTrust = policy.trustsSystemRoots ? SystemTrust.current : nil
        let key = Key.client(
            systemTrust: systemTrust, caFiles: policy.additionalTrustedCAFiles,
            stamps: policy.additionalTrustedCAFiles.map(Self.stamp), minimumVersion: policy.minimumVersion)
        return try context(for: key) { try Self.make(policy, systemTrust: systemTrust) }
    }

    /// A server context presenting `identity`, with a reference the caller must release with `SSL_CTX_free`.
    func context(for identity: TLSServerIdentity) throws -> OpaquePointer {
        let key = Key.server(
            chain: identity.certificateChainFile, key: identity.privateKeyFile,
            stamps: [Self.stamp(identity.certificateChainFile), Self.stamp(identity.privateKeyFile)])
        return try context(for: key) { try Self.make(identity) }
    }

    private func context(for key: Key, make: () throws -> OpaquePointer) throws -> OpaquePointer {
        if let context = entries.withLock({ entries -> OpaquePointer? in
            guard let context = entries.contexts[key] else { return nil }
            SSL_CTX_up_ref(context)
            return context
        }) {
            return context
        }
        let context = try make()
        entries.withLock { entries in
            if let existing = entries.contexts[key] {
                SSL_CTX_free(existing)
                entries.order.removeAll { $0 == key }
            }
            entries.contexts[key] = context
            entries.order.append(key)
            SSL_CTX_up_ref(context)
            if entries.order.count > Self.capacity {
                let oldest = entries.order.removeFirst()
                if let evicted = entries.contexts.removeValue(forKey: oldest) { SSL_CTX_free(evicted) }
            }
        }
        return context
    }

    private static func make(_ identity: TLSServerIdentity) throws -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw TLSSession.openSSLError(.tlsHandshakeFailed, "SSL_CTX_new")
        }
        _ = maillink_SSL_CTX_set_min_proto_version(context, maillink_TLS1_2_VERSION())
        _ = maillink_SSL_CTX_set_mode(context, maillink_SSL_partial_write_modes())
        maillink_SSL_CTX_ignore_unexpected_eof(context)
        guard SSL_CTX_use_certificate_chain_file(context, identity.certificateChainFile) == 1,
            SSL_CTX_use_PrivateKey_file(context, identity.privateKeyFile, SSL_FILETYPE_PEM) == 1
        else {
            SSL_CTX_free(context)
            throw TLSSession.openSSLError(.tlsHandshakeFailed, "cannot load the server certificate or key")
        }
        return context
    }

    private static func make(_ policy: TLSPolicy, systemTrust: SystemTrust?) throws -> OpaquePointer {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSSession.openSSLError(.tlsHandshakeFailed, "SSL_CTX_new")
        }
        let minimum = policy.minimumVersion == .tls13 ? maillink_TLS1_3_VERSION() : maillink_TLS1_2_VERSION()
        _ = maillink_SSL_CTX_set_min_proto_version(context, minimum)
        _ = maillink_SSL_CTX_set_mode(context, maillink_SSL_partial_write_modes())
        maillink_SSL_CTX_ignore_unexpected_eof(context)
        // Read ahead into a 64 KiB buffer: without it OpenSSL reads each record with two reads
        // (the 5-byte header, then the body), which for a server sending 4 KiB records meant
        // tens of thousands of system calls and queue hops per large message.
        maillink_SSL_CTX_set_read_ahead(context, 1)
        SSL_CTX_set_default_read_buffer_len(context, 65536)
        if let systemTrust, !systemTrust.load(into: context) { _ = SystemTrust.defaultPaths.load(into: context) }
        for file in policy.additionalTrustedCAFiles where SSL_CTX_load_verify_locations(context, file, nil) != 1 {
            SSL_CTX_free(context)
            throw TLSSession.openSSLError(.certificateUntrusted, "cannot load the CA file \(file)")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        return context
    }

    private static func stamp(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "missing" }
        #if canImport(Glibc)
        return "\(info.st_size)-\(info.st_mtim.tv_sec)-\(info.st_mtim.tv_nsec)"
        #else
        return "\(info.st_size)-\(info.st_mtimespec.tv_sec)-\(info.st_mtimespec.tv_nsec)"
        #endif
    }
}
