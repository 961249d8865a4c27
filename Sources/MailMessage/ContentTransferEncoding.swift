/// A `Content-Transfer-Encoding` (RFC 2045 §6): how a part's bytes were made safe for
/// transport, and the decoder that undoes it.
public enum ContentTransferEncoding: Sendable, Hashable {
    /// `7bit`: short lines of ASCII, nothing to undo (the default).
    case sevenBit
    /// `8bit`: short lines that may hold 8-bit bytes (RFC 6152).
    case eightBit
    /// `binary`: any bytes (RFC 3030).
    case binary
    /// `quoted-printable` (RFC 2045 §6.7).
    case quotedPrintable
    /// `base64` (RFC 2045 §6.8).
    case base64
    /// An encoding this library does not know (e.g. `x-uuencode`); the body is left as is.
    case other(String)

    /// Parses a header value, ignoring case and white space; empty means `7bit`.
    public init(parsing text: some StringProtocol) {
        let name = text.trimmingASCIIWhitespace().lowercased()
        switch name {
        case "", "7bit": self = .sevenBit
        case "8bit": self = .eightBit
        case "binary": self = .binary
        case "quoted-printable": self = .quotedPrintable
        case "base64": self = .base64
        default: self = .other(name)
        }
    }

    /// The name as written in a header.
    public var name: String {
        switch self {
        case .sevenBit: "7bit"
        case .eightBit: "8bit"
        case .binary: "binary"
        case .quotedPrintable: "quoted-printable"
        case .base64: "base64"
        case .other(let name): name
        }
    }

    /// Undoes the encoding; unknown encodings return the bytes unchanged.
    public func decode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        switch self {
        case .quotedPrintable: QuotedPrintable.decode(bytes)
        case .base64: Base64.decode(bytes)
        default: Array(bytes)
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, CR and LF.
    func trimmingASCIIWhitespace() -> Substring {
        let text = Substring(self)
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        guard let first = text.firstIndex(where: { !isSpace($0) }),
            let last = text.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return text[first...last]
    }
}
