/// What a person needs to judge a certificate: who it names, who signed it, when it is valid,
/// and its fingerprint.
public struct CertificateSummary: Sendable, Hashable, CustomStringConvertible {
    /// The subject distinguished name, one line (`CN=mail.example.com`).
    public var subject: String
    /// The host names and IP addresses the certificate is valid for: its subjectAltName entries
    /// (RFC 5280 §4.2.1.6), which is what TLS clients check (RFC 6125 §6.4.4), not the subject.
    public var names: [String]
    /// The issuer distinguished name, one line.
    public var issuer: String
    /// The start of the validity period, as OpenSSL prints it (`Jan  1 00:00:00 2020 GMT`).
    public var notBefore: String
    /// The end of the validity period, as OpenSSL prints it (`Jan  1 00:00:00 2021 GMT`).
    public var notAfter: String
    /// SHA-256 over the DER encoding of the certificate.
    public var fingerprint: CertificateFingerprint
    /// Where the issuer's own certificate is published (the caIssuers URLs of the Authority
    /// Information Access extension, RFC 5280 §4.2.2.1); certificates from public authorities
    /// carry it, which tells a missing intermediate from a private authority.
    public var issuerCertificateURLs: [String]

    public init(
        subject: String, names: [String] = [], issuer: String, notBefore: String = "", notAfter: String,
        fingerprint: CertificateFingerprint, issuerCertificateURLs: [String] = []
    ) {
        self.subject = subject
        self.names = names
        self.issuer = issuer
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.fingerprint = fingerprint
        self.issuerCertificateURLs = issuerCertificateURLs
    }

    /// Whether the certificate names itself as its issuer (a self-signed certificate, or a root).
    public var isSelfIssued: Bool { subject == issuer }

    /// `CN=mail.example.com (names mail.example.com, 127.0.0.1), issued by CN=Example CA, valid
    /// from … until …, SHA-256 …`: every fact on one line, for a checklist or a "trust this
    /// certificate?" prompt.
    public var description: String {
        var parts = [names.isEmpty ? "\(subject) (no host names)" : "\(subject) (names \(names.joined(separator: ", ")))"]
        parts.append("issued by \(isSelfIssued ? "itself" : issuer)")
        parts.append(notBefore.isEmpty ? "valid until \(notAfter)" : "valid from \(notBefore) until \(notAfter)")
        parts.append("SHA-256 \(fingerprint)")
        return parts.joined(separator: ", ")
    }
}

/// A SHA-256 certificate fingerprint: 32 bytes, written as 64 lowercase hex digits.
///
/// Parsing accepts upper or lower case, with or without `:` separators and an optional
/// `sha256:` / `SHA256:` prefix, so fingerprints copied from `openssl x509 -fingerprint` work.
public struct CertificateFingerprint: Sendable, Hashable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 digest bytes; returns nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// Parses hex text (see the type's documentation); nil when it is not 32 bytes of hex.
    public init?(_ text: String) {
        var hex = Substring(text)
        if let colon = hex.firstIndex(of: ":"), hex[..<colon].lowercased() == "sha256" {
            hex = hex[hex.index(after: colon)...]
        }
        let digits = hex.filter { $0 != ":" && $0 != " " }.utf8
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var high: UInt8?
        for character in digits {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let value = high {
                bytes.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        self.bytes = bytes
    }

    /// 64 lowercase hex digits.
    public var description: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
