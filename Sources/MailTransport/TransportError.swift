/// A failure below the mail protocols: name resolution, TCP, TLS, or a bound on what a peer may send.
///
/// The `code` says what a caller (or a person) can act on; `detail` carries the system's or
/// OpenSSL's words. A certificate failure also carries the presented certificate, so that a host
/// application can offer "trust this certificate" by pinning its SHA-256 fingerprint
/// (see ``TLSPolicy/pinnedFingerprints``). No secret ever appears here.
public struct TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, as a value a caller can switch on. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The host name does not exist in DNS (or has no address).
        public static let nameNotFound = Code("name not found")
        /// Name resolution failed temporarily (no DNS server answered).
        public static let nameResolutionFailed = Code("name resolution failed")
        /// Something answered on the host but nothing listens on the port (TCP RST).
        public static let connectionRefused = Code("connection refused")
        /// No route to the host or network (often a firewall or a missing IPv6 route).
        public static let unreachable = Code("unreachable")
        /// A connect, read or write did not complete within its timeout.
        public static let timedOut = Code("timed out")
        /// The TLS handshake failed for a reason other than the certificate (protocol version, cipher, …).
        public static let tlsHandshakeFailed = Code("TLS handshake failed")
        /// The server's certificate has expired.
        public static let certificateExpired = Code("certificate expired")
        /// The server's certificate is not valid yet (often this computer's clock is wrong).
        public static let certificateNotYetValid = Code("certificate not yet valid")
        /// The certificate is valid but was issued for another host name.
        public static let certificateHostnameMismatch = Code("certificate hostname mismatch")
        /// The server presented a self-signed certificate that is not trusted.
        public static let certificateSelfSigned = Code("certificate self-signed")
        /// The certificate chain does not lead to a trusted root.
        public static let certificateUntrusted = Code("certificate untrusted")
        /// The server sent its certificate without the intermediate certificate between it and
        /// a trusted authority (a server misconfiguration; the certificate says where its issuer
        /// is published, as public authorities' certificates do).
        public static let certificateIntermediateMissing = Code("certificate intermediate missing")
        /// The certificate is invalid for another reason (bad signature, unsuitable purpose, …).
        public static let certificateInvalid = Code("certificate invalid")
        /// The peer closed the connection.
        public static let closedByPeer = Code("closed by peer")
        /// A line exceeded the reader's maximum line length.
        public static let lineTooLong = Code("line too long")
        /// A multi-line response exceeded the reader's maximum size.
        public static let responseTooLarge = Code("response too large")
        /// The server sent bytes before a STARTTLS handshake; they might be injected, so the session ends.
        public static let dataBeforeTLS = Code("data received before TLS")
        /// The connection was closed locally (or the task was cancelled).
        public static let cancelled = Code("cancelled")
        /// A URL that is not an absolute `http` or `https` URL this client can request.
        public static let invalidURL = Code("invalid URL")
        /// A request that cannot be sent as given (a header with a line break, for example).
        public static let invalidRequest = Code("invalid request")
        /// An HTTP response that does not follow RFC 9112 (status line, headers, framing).
        public static let httpMalformed = Code("malformed HTTP response")
        /// Any other system call failure.
        public static let systemError = Code("system error")

        /// Whether the code is about the server's certificate (expired, other names, untrusted, …).
        public var isCertificateProblem: Bool {
            switch self {
            case .certificateExpired, .certificateNotYetValid, .certificateHostnameMismatch, .certificateSelfSigned,
                .certificateUntrusted, .certificateIntermediateMissing, .certificateInvalid:
                true
            default: false
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The underlying words: `strerror`, OpenSSL's reason, the host and port involved.
    public var detail: String
    /// The certificate the server presented, when the failure concerns TLS.
    public var certificate: CertificateSummary?

    public init(_ code: Code, _ detail: String = "", certificate: CertificateSummary? = nil) {
        self.code = code
        self.detail = detail
        self.certificate = certificate
    }

    /// Whether trying again later may succeed without changing any setting.
    public var isTransient: Bool {
        switch code {
        case .timedOut, .closedByPeer, .nameResolutionFailed, .unreachable: return true
        default: return false
        }
    }

    /// Whether the failure is about the server's certificate.
    public var isCertificateFailure: Bool { certificate != nil && code.isCertificateProblem }

    /// What a person can try, in plain words.
    public var recoverySuggestion: String {
        switch code {
        case .nameNotFound: return "Check the server name for typing mistakes."
        case .nameResolutionFailed: return "Check the network connection and DNS settings, then try again."
        case .connectionRefused:
            return "The server does not accept connections on this port: check the port (995 for POP3 with TLS, 110 with STLS; 465 or 587 for sending)."
        case .unreachable, .timedOut:
            return "The server did not answer: check the host and port, and whether a firewall blocks the connection."
        case .certificateExpired:
            return "The server's certificate has expired; ask its administrator to renew it, or trust this certificate explicitly by its fingerprint."
        case .certificateNotYetValid:
            return "The certificate is not valid yet: check this computer's date and time; if they are right, ask the server's administrator."
        case .certificateIntermediateMissing:
            return "The server does not send the intermediate certificate of its authority; its administrator must install the full certificate chain. Until then, trust this certificate by its fingerprint after checking it."
        case .certificateHostnameMismatch:
            return "The certificate belongs to another host name; use the host name the certificate names, or trust this certificate explicitly."
        case .certificateSelfSigned, .certificateUntrusted:
            return "The certificate is not signed by a trusted authority; add the issuing CA or trust this certificate by its fingerprint after checking it."
        case .tlsHandshakeFailed:
            return "TLS could not be negotiated; check that the port expects TLS (995/465) or STARTTLS (110/587)."
        case .lineTooLong, .responseTooLarge:
            return "The server sent more than allowed; raise the limit if the server is trusted."
        default: return "Try again; if it persists, check the server settings."
        }
    }

    public var description: String {
        var text = "TransportError(\(code.rawValue)"
        if !detail.isEmpty { text += ": \(detail)" }
        if let certificate { text += "; certificate SHA-256 \(certificate.fingerprint)" }
        return text + ")"
    }
}
