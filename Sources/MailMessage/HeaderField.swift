/// One header field of a message: a name and the raw bytes of its value (RFC 5322 §2.2).
///
/// The raw value keeps folding and encoded words exactly as received; ``unfoldedValue`` and
/// ``value`` decode it lazily, only when asked, because most fields of a routed message are
/// never looked at.
public struct HeaderField: Sendable, Hashable {
    /// The field name's bytes as received (printable ASCII, RFC 5322 §3.6.8).
    public let nameBytes: ArraySlice<UInt8>
    /// The bytes after the colon up to the field's last line break, folding included.
    public let rawValue: ArraySlice<UInt8>

    /// Creates a field from its name and raw value bytes.
    public init(nameBytes: ArraySlice<UInt8>, rawValue: ArraySlice<UInt8>) {
        self.nameBytes = nameBytes
        self.rawValue = rawValue
    }

    /// Creates a field from text, e.g. for tests or to re-emit a field. Not validated.
    public init(name: String, value: String) {
        self.nameBytes = ArraySlice(name.utf8)
        self.rawValue = ArraySlice(Array(" ".utf8) + Array(value.utf8))
    }

    /// The field name as received, e.g. `Subject`.
    public var name: String { String(decoding: nameBytes, as: UTF8.self) }

    /// Whether this field is named `name`, ignoring ASCII case (field names are
    /// case-insensitive, RFC 5322 §1.2.2).
    public func hasName(_ name: some StringProtocol) -> Bool {
        HeaderField.asciiCaseInsensitiveEqual(nameBytes, name.utf8)
    }

    /// The value unfolded (RFC 5322 §2.2.3) and trimmed, as bytes; encoded words untouched.
    public var unfoldedBytes: ArraySlice<UInt8> {
        let trimmed = HeaderField.trimmed(rawValue)
        if !trimmed.contains(where: { $0 == 0x0D || $0 == 0x0A }) { return trimmed }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(trimmed.count)
        for byte in trimmed where byte != 0x0D && byte != 0x0A { bytes.append(byte) }
        return ArraySlice(bytes)
    }

    /// The value unfolded and trimmed, without RFC 2047 decoding. 8-bit bytes are read as
    /// UTF-8 when valid, else as Windows-1252.
    public var unfoldedValue: String { Charset.decodeUnlabelled(unfoldedBytes) }

    /// The value unfolded, trimmed and with RFC 2047 encoded words decoded: what a person
    /// should see. Never fails; undecodable parts degrade to readable text.
    public var value: String { EncodedWord.decodeText(unfoldedBytes) }

    /// Removes leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// Space, tab, CR or LF.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    /// Compares ASCII bytes ignoring case.
    static func asciiCaseInsensitiveEqual<A: Collection<UInt8>, B: Collection<UInt8>>(_ a: A, _ b: B) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) where x != y {
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
