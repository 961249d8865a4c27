/// RFC 2047 encoded words (`=?charset?B|Q?text?=`): non-ASCII text in header fields.
///
/// Decoding is tolerant, as mail readers must be: encoded words glued to other text,
/// a multi-byte character split across two adjacent words, unknown charsets and bad
/// encodings all degrade to readable text rather than failing. Work is linear in the input.
/// Encoding follows RFC 2047 §2 and §5: words of at most 75 characters that never split a
/// UTF-8 sequence, Q encoding for mostly-ASCII text and B encoding otherwise.
public enum EncodedWord {
    /// Where encoded words will be placed; `phrase` (display names, RFC 2047 §5(3)) allows
    /// fewer literal characters in Q encoding than `text` (Subject, RFC 2047 §5(1)).
    public enum Context: Sendable {
        /// Unstructured text such as `Subject`.
        case text
        /// A phrase such as a display name in an address.
        case phrase
    }

    /// Longest encoded word RFC 2047 §2 allows.
    public static let maxWordLength = 75

    /// Decodes every encoded word in `text`; white space between adjacent encoded words is
    /// dropped (RFC 2047 §6.2).
    public static func decode(_ text: some StringProtocol) -> String {
        decodeText(ArraySlice(text.utf8))
    }

    /// Decodes header bytes: encoded words decoded, other 8-bit bytes read as UTF-8 when
    /// valid, else Windows-1252.
    static func decodeText(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { decodeText($0) }
    }

    /// ``decodeText(_:)`` on a buffer.
    static func decodeText(_ buffer: UnsafeBufferPointer<UInt8>) -> String {
        guard containsEncodedWordStart(buffer) else { return Charset.decodeUnlabelled(buffer: buffer) }
        var decoder = EncodedWordDecoder(input: buffer)
        decoder.run()
        return String(decoding: decoder.output, as: UTF8.self)
    }

    /// Whether `=?` occurs in the bytes.
    static func containsEncodedWordStart(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        for index in 0..<(bytes.count - 1) where bytes[index] == 0x3D && bytes[index + 1] == 0x3F {
            return true
        }
        return false
    }

    /// Where one encoded word's parts are, found by ``parseWord(_:at:)``.
    struct WordRange {
        var charset: Range<Int>
        var isBase64: Bool
        var text: Range<Int>
        var next: Int
    }

    /// Parses one encoded word starting at `start` (which holds `=?`). Returns `nil` and where
    /// literal text can safely resume otherwise, so each byte is examined a bounded number of
    /// times and hostile runs of `=?` stay linear.
    static func parseWord(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (word: WordRange?, resume: Int) {
        let end = bytes.count
        var index = start + 2
        let charsetStart = index
        // charset (with optional RFC 2231 "*language"): token characters, at most 64.
        while index < end, index - charsetStart <= 64 {
            let byte = bytes[index]
            if byte == 0x3F || byte <= 0x20 || byte >= 0x7F || byte == 0x3D { break }
            index += 1
        }
        guard index < end, bytes[index] == 0x3F, index > charsetStart, index + 2 < end,
            bytes[index + 2] == 0x3F
        else { return (nil, start + 2) }
        var charsetEnd = index
        for position in charsetStart..<index where bytes[position] == 0x2A {
            charsetEnd = position
            break
        }
        let encoding = bytes[index + 1] | 0x20
        guard encoding == 0x62 || encoding == 0x71 else { return (nil, start + 2) }
        let textStart = index + 3
        index = textStart
        while index < end {
            let byte = bytes[index]
            if byte == 0x3F || byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A { break }
            index += 1
        }
        guard index + 1 < end, bytes[index] == 0x3F, bytes[index + 1] == 0x3D else {
            return (nil, max(index, start + 2))
        }
        let word = WordRange(
            charset: charsetStart..<charsetEnd, isBase64: encoding == 0x62, text: textStart..<index, next: index + 2
        )
        return (word, index + 2)
    }

    /// Q decoding (RFC 2047 §4.2): `_` is a space, `=XX` a byte; malformed escapes stay literal.
    static func decodeQ(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        text.withUnsafeBufferPointer { decodeQ($0, into: &output) }
        return output
    }

    /// Q-decodes `text`, appending to `output`.
    static func decodeQ(_ text: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == 0x5F {
                output.append(0x20)
            } else if byte == 0x3D, index + 2 < text.endIndex,
                let high = QuotedPrintable.hexValue(text[index + 1]),
                let low = QuotedPrintable.hexValue(text[index + 2])
            {
                output.append(high << 4 | low)
                index += 3
                continue
            } else {
                output.append(byte)
            }
            index += 1
        }
    }

    /// Whether `text` can go into a header as is: printable ASCII only and nothing that would
    /// read as an encoded word.
    public static func needsEncoding(_ text: some StringProtocol) -> Bool {
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte >= 0x7F || (byte < 0x20 && byte != 0x09) { return true }
            if previous == 0x3D, byte == 0x3F { return true }
            previous = byte
        }
        return false
    }

    /// Encodes `text` as UTF-8 encoded words of at most ``maxWordLength`` characters each,
    /// never splitting a UTF-8 sequence. Join them with `"\r\n "` (folding) when writing.
    public static func encode(_ text: String, context: Context = .text) -> [String] {
        let utf8 = Array(text.utf8)
        let nonASCII = utf8.reduce(0) { $0 + ($1 >= 0x80 ? 1 : 0) }
        let useB = nonASCII * 3 > utf8.count
        let prefix = useB ? "=?utf-8?B?" : "=?utf-8?Q?"
        let budget = maxWordLength - prefix.utf8.count - 2
        var words: [String] = []
        var chunk: [UInt8] = []
        var encodedLength = 0

        func encodedSize(_ scalarBytes: [UInt8]) -> Int {
            scalarBytes.reduce(0) { $0 + (qLiteral($1, context: context) ? 1 : 3) }
        }
        func flush() {
            guard !chunk.isEmpty else { return }
            let body = useB ? Base64.encode(chunk) : encodeQ(chunk, context: context)
            words.append(prefix + body + "?=")
            chunk.removeAll(keepingCapacity: true)
            encodedLength = 0
        }
        for scalar in text.unicodeScalars {
            let scalarBytes = Array(String(scalar).utf8)
            if useB {
                let newLength = (chunk.count + scalarBytes.count + 2) / 3 * 4
                if newLength > budget { flush() }
                chunk += scalarBytes
            } else {
                let size = encodedSize(scalarBytes)
                if encodedLength + size > budget { flush() }
                chunk += scalarBytes
                encodedLength += size
            }
        }
        flush()
        return words
    }

    /// Whether a byte may appear literally in Q-encoded text in `context` (RFC 2047 §5).
    static func qLiteral(_ byte: UInt8, context: Context) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x2A, 0x2B, 0x2D, 0x2F: return true  // ! * + - /
        case 0x20: return true  // written as "_"
        default:
            guard context == .text else { return false }
            // Printable ASCII except = ? _ and the specials that confuse some parsers.
            return byte > 0x20 && byte < 0x7F && byte != 0x3D && byte != 0x3F && byte != 0x5F
                && byte != 0x22 && byte != 0x28 && byte != 0x29 && byte != 0x2C
        }
    }

    /// Q-encodes bytes (RFC 2047 §4.2).
    static func encodeQ(_ bytes: [UInt8], context: Context) -> String {
        var output: [UInt8] = []
        for byte in bytes {
            if byte == 0x20 {
                output.append(0x5F)
            } else if qLiteral(byte, context: context) {
                output.append(byte)
            } else {
                output.append(0x3D)
                output.append(QuotedPrintable.hexDigits[Int(byte >> 4)])
                output.append(QuotedPrintable.hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
