import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A certificate and private key that a TLS server presents (PEM files). Used by test servers.
package struct TLSServerIdentity: Sendable, Hashable {
    package var certificateChainFile: String
    package var privateKeyFile: String
    package init(certificateChainFile: String, privateKeyFile: String) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }
}

/// One OpenSSL `SSL` object bound to a non-blocking socket. Not thread-safe: it is used only on
/// its ``SocketConnection``'s queue.
final class TLSSession: @unchecked Sendable {
    enum Step {
        case done(Int)
        case wantRead
        case wantWrite
        case closed
        case failed(TransportError)
    }

    private var ssl: OpaquePointer?
    private let isServer: Bool
    private let verifiesHostname: Bool

    private init(ssl: OpaquePointer, isServer: Bool, verifiesHostname: Bool) {
        self.ssl = ssl
        self.isServer = isServer
        self.verifiesHostname = verifiesHostname
    }

    /// A client session: SNI (for names, not IP literals), hostname or IP check armed in the
    /// verification parameters, trust from `policy`. The chain is verified during the handshake
    /// with `SSL_VERIFY_NONE` so that the handshake completes and the presented certificate can be
    /// reported; ``verificationFailure(serverName:policy:certificate:)`` then decides, before any byte of the
    /// protocol is sent.
    static func client(descriptor: Int32, serverName: String, policy: TLSPolicy) throws -> TLSSession {
        let context = try TLSContextCache.shared.context(for: policy)
        defer { SSL_CTX_free(context) }
        guard let ssl = SSL_new(context) else { throw openSSLError(.tlsHandshakeFailed, "SSL_new") }
        let session = TLSSession(ssl: ssl, isServer: false, verifiesHostname: policy.verifiesHostname)
        let name = policy.serverNameOverride ?? serverName
        let isIPLiteral = Self.isIPLiteral(name)
        if !isIPLiteral { _ = maillink_SSL_set_tlsext_host_name(ssl, name) }
        if policy.verifiesHostname {
            if isIPLiteral {
                _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name)
            } else {
                _ = SSL_set1_host(ssl, name)
            }
        }
        try attachSocket(ssl, descriptor)
        SSL_set_connect_state(ssl)
        return session
    }

    /// A server session presenting `identity`.
    static func server(descriptor: Int32, identity: TLSServerIdentity) throws -> TLSSession {
        let context = try TLSContextCache.shared.context(for: identity)
        defer { SSL_CTX_free(context) }
        guard let ssl = SSL_new(context) else { throw openSSLError(.tlsHandshakeFailed, "SSL_new") }
        try attachSocket(ssl, descriptor)
        SSL_set_accept_state(ssl)
        return TLSSession(ssl: ssl, isServer: true, verifiesHostname: false)
    }

    /// Connects `ssl` to the socket through a BIO that sends with `MSG_NOSIGNAL` (``SocketBIO``),
    /// so that a reset connection is an error, never a SIGPIPE that ends the process.
    private static func attachSocket(_ ssl: OpaquePointer, _ descriptor: Int32) throws {
        guard let bio = SocketBIO.make(descriptor: descriptor) else {
            SSL_free(ssl)
            throw openSSLError(.tlsHandshakeFailed, "BIO_new")
        }
        SSL_set_bio(ssl, bio, bio)
    }

    func handshake() -> Step {
        guard let ssl else { return .failed(TransportError(.cancelled)) }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 { return .done(0) }
        return classify(result, doing: "the TLS handshake")
    }

    func read(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Step {
        guard let ssl else { return .failed(TransportError(.cancelled)) }
        ERR_clear_error()
        let result = SSL_read(ssl, buffer, Int32(clamping: count))
        if result > 0 { return .done(Int(result)) }
        return classify(result, doing: "reading")
    }

    func write(_ bytes: UnsafeRawPointer, count: Int) -> Step {
        guard let ssl else { return .failed(TransportError(.cancelled)) }
        ERR_clear_error()
        let result = SSL_write(ssl, bytes, Int32(clamping: count))
        if result > 0 { return .done(Int(result)) }
        return classify(result, doing: "writing")
    }

    /// Sends close_notify once, without waiting for the peer's.
    func shutdown() {
        guard let ssl else { return }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
    }

    func free() {
        if let ssl { SSL_free(ssl) }
        ssl = nil
    }

    private func classify(_ result: Int32, doing what: String) -> Step {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let savedErrno = errno
            if ERR_peek_error() == 0 && (savedErrno == 0 || savedErrno == ECONNRESET || savedErrno == EPIPE) {
                return savedErrno == 0 ? .closed : .failed(TransportError(.closedByPeer, "the connection was reset during \(what)"))
            }
            return .failed(Self.openSSLError(.tlsHandshakeFailed, what))
        default:
            return .failed(Self.openSSLError(.tlsHandshakeFailed, what))
        }
    }

    /// The leaf certificate the peer presented.
    func peerCertificateSummary() -> CertificateSummary? {
        guard let ssl, let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        return Self.summary(of: certificate)
    }

    /// Nil when the server is trusted under `policy`; otherwise the typed reason, whose detail
    /// says exactly what is wrong with the certificate and every fact a person needs to judge it.
    func verificationFailure(serverName: String, policy: TLSPolicy, certificate: CertificateSummary?) -> TransportError? {
        guard let ssl else { return TransportError(.cancelled) }
        guard let certificate else {
            return TransportError(.tlsHandshakeFailed, "the server presented no certificate")
        }
        if policy.pinnedFingerprints.contains(certificate.fingerprint) { return nil }
        let result = Int32(SSL_get_verify_result(ssl))
        if result == X509_V_OK { return nil }
        let reason = String(cString: X509_verify_cert_error_string(Int(result)))
        let sentChain = SSL_get_peer_cert_chain(ssl).map { Int(maillink_sk_X509_num($0)) } ?? 0
        let (code, problem) = Self.problem(
            result, certificate: certificate, serverName: serverName, onlyLeafSent: sentChain <= 1)
        return TransportError(code, "\(problem) (OpenSSL: \(reason)); the certificate: \(certificate)", certificate: certificate)
    }

    /// The code and plain words for an OpenSSL verification result.
    static func problem(
        _ result: Int32, certificate: CertificateSummary, serverName: String, onlyLeafSent: Bool
    ) -> (TransportError.Code, String) {
        switch result {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return (.certificateExpired, "the certificate expired on \(certificate.notAfter)")
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return (.certificateNotYetValid, "the certificate is valid only from \(certificate.notBefore)")
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH:
            let names = certificate.names.isEmpty ? certificate.subject : certificate.names.joined(separator: ", ")
            return (.certificateHostnameMismatch, "the certificate was issued for \(names), not for \(serverName)")
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            return (.certificateSelfSigned, "the certificate is self-signed: no authority this system trusts vouches for it")
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
            if onlyLeafSent, !certificate.isSelfIssued, let url = certificate.issuerCertificateURLs.first {
                return (
                    .certificateIntermediateMissing,
                    "the server sent only its own certificate, without the intermediate certificate of \(certificate.issuer) (published at \(url)) that links it to a trusted authority"
                )
            }
            return (
                .certificateUntrusted,
                "the certificate was issued by \(certificate.issuer), an authority this system does not trust (a private authority, or an intermediate the server does not send)"
            )
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
            return (.certificateUntrusted, "the certificate chain ends at a root authority this system does not trust")
        default:
            return (.certificateInvalid, "the certificate is not valid for this connection")
        }
    }

    static func summary(of certificate: OpaquePointer) -> CertificateSummary? {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1,
            let fingerprint = CertificateFingerprint(bytes: Array(digest.prefix(Int(length))))
        else { return nil }
        return CertificateSummary(
            subject: nameLine(X509_get_subject_name(certificate)),
            names: lines(bioString { maillink_write_alt_names(certificate, $0); return 1 }).map(addressText),
            issuer: nameLine(X509_get_issuer_name(certificate)),
            notBefore: bioString { ASN1_TIME_print($0, X509_get0_notBefore(certificate)) },
            notAfter: bioString { ASN1_TIME_print($0, X509_get0_notAfter(certificate)) },
            fingerprint: fingerprint,
            issuerCertificateURLs: lines(bioString { maillink_write_ca_issuers(certificate, $0); return 1 }))
    }

    /// `ip:7f000001` as `127.0.0.1` (and 16 bytes as IPv6 text, RFC 5952); other names as they are.
    private static func addressText(_ line: String) -> String {
        guard line.hasPrefix("ip:") else { return line }
        let hex = Array(line.utf8.dropFirst(3))
        guard hex.count == 8 || hex.count == 32 else { return line }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: hex.count, by: 2) {
            guard let byte = UInt8(String(decoding: hex[index...index + 1], as: UTF8.self), radix: 16) else { return line }
            bytes.append(byte)
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return line }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Lines of printable ASCII only: a certificate's names are the server's words, shown to people.
    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map { String($0.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7f }) }
            .filter { !$0.isEmpty }
    }

    private static func nameLine(_ name: OpaquePointer?) -> String {
        bioString { X509_NAME_print_ex($0, name, 0, maillink_XN_FLAG_RFC2253()) }
    }

    private static func bioString(_ body: (OpaquePointer?) -> Int32) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "" }
        defer { BIO_free(bio) }
        _ = body(bio)
        var pointer: UnsafeMutablePointer<CChar>?
        let length = maillink_BIO_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    static func openSSLError(_ code: TransportError.Code, _ what: String) -> TransportError {
        var reasons: [String] = []
        while true {
            let error = ERR_get_error()
            if error == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(error, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return TransportError(code, reasons.isEmpty ? what : "\(what): \(reasons.joined(separator: "; "))")
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
