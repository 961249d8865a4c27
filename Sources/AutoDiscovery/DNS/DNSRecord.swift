/// A DNS record type (RFC 1035 §3.2.2, RFC 3596, RFC 2782).
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The 16-bit TYPE value.
    public let rawValue: UInt16
    /// A type by number.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// IPv4 address (RFC 1035).
    public static let a = DNSRecordType(rawValue: 1)
    /// Canonical name (RFC 1035).
    public static let cname = DNSRecordType(rawValue: 5)
    /// Mail exchanger (RFC 1035 §3.3.9).
    public static let mx = DNSRecordType(rawValue: 15)
    /// IPv6 address (RFC 3596).
    public static let aaaa = DNSRecordType(rawValue: 28)
    /// Service location (RFC 2782).
    public static let srv = DNSRecordType(rawValue: 33)

    /// `A`, `MX`, … or `TYPE<n>`.
    public var description: String {
        switch self {
        case .a: return "A"
        case .cname: return "CNAME"
        case .mx: return "MX"
        case .aaaa: return "AAAA"
        case .srv: return "SRV"
        default: return "TYPE\(rawValue)"
        }
    }
}

/// One answer record, decoded for the types discovery uses.
public struct DNSRecord: Sendable, Hashable {
    /// The decoded data.
    public enum Data: Sendable, Hashable {
        /// An IPv4 or IPv6 address in text form (`192.0.2.1`, `2001:db8::1`).
        case address(String)
        /// A mail exchanger: lower preference is tried first.
        case mx(preference: UInt16, exchange: String)
        /// A service location. A target of `.` (empty name) means "decidedly not available" (RFC 2782).
        case srv(priority: UInt16, weight: UInt16, port: UInt16, target: String)
        /// An alias.
        case cname(String)
        /// Any other type, left undecoded.
        case other
    }

    /// The owner name, lower case, without the trailing dot.
    public var name: String
    /// The record type.
    public var type: DNSRecordType
    /// Time to live in seconds.
    public var ttl: UInt32
    /// The decoded data.
    public var data: Data

    /// A record.
    public init(name: String, type: DNSRecordType, ttl: UInt32 = 300, data: Data) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.data = data
    }
}
