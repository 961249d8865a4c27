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
    public var name: String { nameBytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) } }

    /// Whether this field is named `name`, ignoring ASCII case (field names are
    /// case-insensitive, RFC 5322 §1.2.2).
    public func hasName(_ name: some StringProtocol) -> Bool {
        let utf8 = name.utf8
        guard utf8.count == nameBytes.count else { return false }
        return nameBytes.withUnsafeBufferPointer { mine in
            utf8.withContiguousStorageIfAvailable { theirs in
                HeaderField.asciiCaseInsensitiveEqual(mine, theirs)
            } ?? Array(utf8).withUnsafeBufferPointer { HeaderField.asciiCaseInsensitiveEqual(mine, $0) }
        }
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
    public var value: String {
        // One pass decides the work: most values are short ASCII with nothing to undo.
        HeaderField.trimmed(rawValue).withUnsafeBufferPointer { buffer in
            let (folded, wordStart, ascii) = HeaderField.classify(buffer)
            if !folded, !wordStart {
                return ascii ? String(decoding: buffer, as: UTF8.self) : Charset.decodeUnlabelled(buffer: buffer)
            }
            guard folded else { return EncodedWord.decodeText(buffer) }
            if ascii, !wordStart {
                // The common folded field (Received, DKIM-Signature, To): unfold straight into
                // the string's storage, one allocation and one copy.
                return String(unsafeUninitializedCapacity: buffer.count) { storage in
                    var written = 0
                    for byte in buffer where byte != 0x0D && byte != 0x0A {
                        storage[written] = byte
                        written += 1
                    }
                    return written
                }
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(buffer.count)
            for byte in buffer where byte != 0x0D && byte != 0x0A { bytes.append(byte) }
            return bytes.withUnsafeBufferPointer { unfolded in
                if wordStart { return EncodedWord.decodeText(unfolded) }
                return ascii ? String(decoding: unfolded, as: UTF8.self) : Charset.decodeUnlabelled(buffer: unfolded)
            }
        }
    }

    /// Whether bytes contain a line break, an `=?` and only ASCII. Eight bytes at a time:
    /// this runs over every value that is read, so it is the hot loop of header decoding.
    static func classify(_ buffer: UnsafeBufferPointer<UInt8>) -> (folded: Bool, wordStart: Bool, ascii: Bool) {
        var folded = false
        var wordStart = false
        var ascii = true
        let count = buffer.count
        guard let base = buffer.baseAddress else { return (false, false, true) }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasByte(_ word: UInt64, _ byte: UInt8) -> Bool {
            let x = word ^ (ones &* UInt64(byte))
            return (x &- ones) & ~x & highs != 0
        }
        var index = 0
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if word & highs != 0 { ascii = false }
            if !folded, hasByte(word, 0x0A) || hasByte(word, 0x0D) { folded = true }
            if !wordStart, hasByte(word, 0x3D) {
                // An "=" here: look for "=?" precisely, including across the next word.
                for position in index..<Swift.min(index + 8, count - 1) where base[position] == 0x3D && base[position + 1] == 0x3F {
                    wordStart = true
                    break
                }
            }
            index += 8
        }
        var previous: UInt8 = index > 0 ? base[index - 1] : 0
        while index < count {
            let byte = base[index]
            if byte >= 0x80 {
                ascii = false
            } else if byte == 0x0A || byte == 0x0D {
                folded = true
            } else if byte == 0x3F, previous == 0x3D {
                wordStart = true
            }
            previous = byte
            index += 1
        }
        return (folded, wordStart, ascii)
    }

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
    static func asciiCaseInsensitiveEqual(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        for index in 0..<a.count {
            let x = a[index]
            let y = b[index]
            if x == y { continue }
            let lx = (x >= 0x41 && x <= 0x5A) ? x | 0x20 : x
            let ly = (y >= 0x41 && y <= 0x5A) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
