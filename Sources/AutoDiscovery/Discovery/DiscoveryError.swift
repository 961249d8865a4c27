/// Why discovery (or one of its sources) failed, as a value a caller can act on.
///
/// One error type for the whole module, with an extensible ``Code`` (the postgres-nio
/// pattern). Descriptions never hold a password: discovery never receives one.
public struct DiscoveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Extensible: new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The stable name of the code.
        public let rawValue: String
        /// A code with the given name.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The stable name of the code.
        public var description: String { rawValue }

        /// The text is not an e-mail address (no `@`, empty local part, invalid domain).
        public static let invalidAddress = Code("invalid address")
        /// An XML document could not be read (not well-formed, too large, too deep).
        public static let malformedXML = Code("malformed XML")
        /// The XML was well-formed but held no usable `emailProvider` with a usable server.
        public static let invalidConfiguration = Code("invalid configuration")
        /// A DNS message was malformed (bad compression pointer, loop, truncation, bad lengths).
        public static let malformedDNSMessage = Code("malformed DNS message")
        /// The DNS server answered with an error code (SERVFAIL, REFUSED, …).
        public static let dnsServerFailure = Code("DNS server failure")
        /// The name does not exist (NXDOMAIN) or has no record of the asked type.
        public static let dnsNoRecords = Code("no DNS records")
        /// No DNS server answered in time.
        public static let dnsTimedOut = Code("DNS timed out")
        /// An HTTP exchange failed: status not 2xx, bad response, wrong content type.
        public static let httpFailure = Code("HTTP failure")
        /// An HTTP response exceeded the size cap.
        public static let httpTooLarge = Code("HTTP response too large")
        /// An HTTP redirect pointed to another host (or downgraded https to http); not followed.
        public static let httpRedirectRefused = Code("HTTP redirect refused")
        /// The network failed below HTTP or DNS (connect, TLS, name resolution).
        public static let network = Code("network failure")
        /// A source or probe ran out of time.
        public static let timedOut = Code("timed out")
        /// A server presented a certificate that failed verification (expired, wrong host,
        /// untrusted); the detail names the host and the certificate's SHA-256 fingerprint so a
        /// user interface can offer an explicit, informed exception (never a silent one).
        public static let certificateRejected = Code("certificate rejected")
        /// The provider is known not to offer POP3 (iCloud, Proton).
        public static let popNotOffered = Code("POP3 not offered")
        /// Nothing found any settings (every source failed, probing found nothing).
        public static let noConfigurationFound = Code("no configuration found")
        /// Every source failed because of the network: probably offline.
        public static let noNetwork = Code("no network")
        /// An option or argument given by the caller is unusable (e.g. `--dns` without an IP address).
        public static let invalidArgument = Code("invalid argument")
        /// The work was cancelled.
        public static let cancelled = Code("cancelled")
    }

    /// What went wrong.
    public var code: Code
    /// Details in plain words: the host, URL or field involved.
    public var detail: String

    /// An error with a code and details.
    public init(_ code: Code, _ detail: String = "") {
        self.code = code
        self.detail = detail
    }

    /// Whether trying again later may succeed without changing anything.
    public var isTransient: Bool {
        [.dnsTimedOut, .network, .timedOut, .noNetwork, .dnsServerFailure].contains(code)
    }

    /// What a person can try, in plain words.
    public var recoverySuggestion: String {
        switch code {
        case .invalidAddress: return "Check the e-mail address for typing mistakes."
        case .noNetwork: return "Check the network connection, then try again."
        case .popNotOffered:
            return "This provider does not offer POP3; it cannot be linked by fetching mail over POP3."
        case .certificateRejected:
            return
                "The server's certificate could not be verified; check the host name, or trust this certificate explicitly after checking its fingerprint."
        case .noConfigurationFound:
            return "Enter the server settings by hand: they are in the provider's help pages."
        default: return "Try again; if it persists, enter the server settings by hand."
        }
    }

    /// `DiscoveryError(code: detail)`.
    public var description: String {
        detail.isEmpty ? "DiscoveryError(\(code.rawValue))" : "DiscoveryError(\(code.rawValue): \(detail))"
    }
}
