import MailTransport

/// How one account's servers are trusted and timed, on top of the linker's defaults: extra CA
/// files, pinned certificates (the "add an exception" case), a timeout, and whether a password may
/// cross an unencrypted connection (loopback tests only).
///
/// Kept with the account (``LinkedAccount/connection``), so a certificate exception given when
/// linking applies to every later sync and send of that account and to no other.
///
/// Stored as `{"caFiles": [], "pins": ["ab12…"], "timeoutSeconds": 30, "allowsInsecureAuthentication": false}`.
public struct ConnectionPolicy: Sendable, Hashable, Codable {
    /// PEM files of extra certificate authorities to trust.
    public var caFiles: [String]
    /// Pinned certificates: SHA-256 of their DER encoding.
    public var pins: [CertificateFingerprint]
    /// The time limit for connecting and for each read and write; nil keeps the linker's.
    public var timeoutSeconds: Int?
    /// Allows a password over an unencrypted connection. Never set this for a real server.
    public var allowsInsecureAuthentication: Bool

    /// A policy; every field defaults to "as the linker does".
    public init(
        caFiles: [String] = [], pins: [CertificateFingerprint] = [], timeoutSeconds: Int? = nil,
        allowsInsecureAuthentication: Bool = false
    ) {
        self.caFiles = caFiles
        self.pins = pins
        self.timeoutSeconds = timeoutSeconds
        self.allowsInsecureAuthentication = allowsInsecureAuthentication
    }

    /// Nothing beyond the linker's defaults.
    public static let `default` = ConnectionPolicy()

    /// `base` with this policy's CA files and pins added.
    public func tlsPolicy(over base: TLSPolicy) -> TLSPolicy {
        var policy = base
        policy.additionalTrustedCAFiles += caFiles.filter { !policy.additionalTrustedCAFiles.contains($0) }
        policy.pinnedFingerprints.formUnion(pins)
        return policy
    }

    /// `base`, or this policy's timeout for connect, read and write.
    public func timeouts(over base: Timeouts) -> Timeouts {
        timeoutSeconds.map { Timeouts.all(.seconds($0)) } ?? base
    }

    /// The same policy as a ``MailTransport/TLSPolicy`` on its own (system roots plus these).
    public var tlsPolicy: TLSPolicy { tlsPolicy(over: .default) }

    private enum CodingKeys: String, CodingKey {
        case caFiles, pins, timeoutSeconds, allowsInsecureAuthentication
    }

    /// Decodes the stored form; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        caFiles = try container.decodeIfPresent([String].self, forKey: .caFiles) ?? []
        let pinTexts = try container.decodeIfPresent([String].self, forKey: .pins) ?? []
        pins = try pinTexts.map { text in
            guard let pin = CertificateFingerprint(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .pins, in: container, debugDescription: "not a SHA-256 fingerprint: \(text)")
            }
            return pin
        }
        timeoutSeconds = try container.decodeIfPresent(Int.self, forKey: .timeoutSeconds)
        allowsInsecureAuthentication =
            try container.decodeIfPresent(Bool.self, forKey: .allowsInsecureAuthentication) ?? false
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(caFiles, forKey: .caFiles)
        try container.encode(pins.map(\.description), forKey: .pins)
        try container.encodeIfPresent(timeoutSeconds, forKey: .timeoutSeconds)
        try container.encode(allowsInsecureAuthentication, forKey: .allowsInsecureAuthentication)
    }
}
