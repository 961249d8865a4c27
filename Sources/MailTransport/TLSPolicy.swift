/// How a TLS peer is trusted.
///
/// The default is what a careful mail client does: the system's trust store, the host name
/// checked against the certificate, TLS 1.2 or newer, and SNI sent. Extra trust is always
/// explicit: a CA file (for a company's own CA, or a test bench), or a pinned SHA-256 fingerprint
/// of one certificate (the "add an exception" case of desktop clients). Nothing here ever
/// falls back silently to an unverified connection.
public struct TLSPolicy: Sendable, Hashable {
    /// The lowest protocol version accepted.
    public enum MinimumVersion: Sendable, Hashable {
        /// TLS 1.2 (RFC 8996 deprecates 1.0 and 1.1; RFC 8314 asks for 1.2 or newer).
        case tls12
        /// TLS 1.3 only.
        case tls13
    }

    /// Trust the operating system's CA certificates: OpenSSL's certificate directory when it is
    /// hashed (`/etc/ssl/certs`, each issuer read when a chain needs it), else its defaults
    /// (`SSL_CTX_set_default_verify_paths`); `SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured.
    public var trustsSystemRoots: Bool
    /// PEM files with additional trusted CA certificates.
    public var additionalTrustedCAFiles: [String]
    /// Certificates trusted by their SHA-256 fingerprint, whatever their chain, name or dates.
    /// When the leaf certificate's fingerprint is in this set, the connection is accepted.
    public var pinnedFingerprints: Set<CertificateFingerprint>
    /// The lowest protocol version accepted.
    public var minimumVersion: MinimumVersion
    /// Whether the certificate must name the host connected to. Turning this off is only
    /// sensible together with a pin; the name says what it is.
    public var verifiesHostname: Bool
    /// The name to send in SNI and to check the certificate against, when it differs from the
    /// endpoint's host (for example when connecting to an IP address for a named server).
    public var serverNameOverride: String?

    /// The default: system roots, hostname verification, TLS 1.2 minimum.
    public init(
        trustsSystemRoots: Bool = true,
        additionalTrustedCAFiles: [String] = [],
        pinnedFingerprints: Set<CertificateFingerprint> = [],
        minimumVersion: MinimumVersion = .tls12,
        verifiesHostname: Bool = true,
        serverNameOverride: String? = nil
    ) {
        self.trustsSystemRoots = trustsSystemRoots
        self.additionalTrustedCAFiles = additionalTrustedCAFiles
        self.pinnedFingerprints = pinnedFingerprints
        self.minimumVersion = minimumVersion
        self.verifiesHostname = verifiesHostname
        self.serverNameOverride = serverNameOverride
    }

    /// The default policy.
    public static let `default` = TLSPolicy()
}

extension TLSPolicy {
    /// Whether `host` is an IPv4 or IPv6 literal (certificates name those as IP addresses, and
    /// SNI is not sent for them, RFC 6066 §3).
    public static func isIPLiteral(_ host: String) -> Bool { TLSSession.isIPLiteral(host) }
}
