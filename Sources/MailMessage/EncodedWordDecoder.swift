/// The state of decoding one header value with RFC 2047 encoded words into UTF-8 bytes.
///
/// Adjacent words are joined (white space between them dropped, RFC 2047 §6.2) and words in
/// the same charset are decoded together, so a character split across two words survives.
/// Literal text keeps its bytes (8-bit runs read as UTF-8 when valid, else Windows-1252).
/// Works on a buffer with no intermediate strings: this is on the routing hot path.
struct EncodedWordDecoder {
    let input: UnsafeBufferPointer<UInt8>
    /// The decoded value as UTF-8 (possibly with invalid sequences from broken words, which
    /// the final `String(decoding:)` turns into U+FFFD).
    private(set) var output: [UInt8] = []
    private var pending: [UInt8] = []
    private var pendingCharset: Range<Int>?

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
    }

    mutating func run() {
        output.reserveCapacity(input.count + 16)
        let count = input.count
        var index = 0
        var literalStart = 0
        var literalIsSpace = true
        while index < count {
            let byte = input[index]
            if byte == 0x3D, index + 1 < count, input[index + 1] == 0x3F {
                let (found, resume) = EncodedWord.parseWord(input, at: index)
                guard let word = found else {
                    literalIsSpace = false
                    index = resume
                    continue
                }
                if pendingCharset != nil, literalIsSpace {
                    // Only white space since the previous word: it disappears.
                    if let current = pendingCharset, !sameName(current, word.charset) {
                        flushPending()
                    }
                } else {
                    flushPending()
                    emitLiteral(literalStart..<index)
                }
                if pendingCharset == nil { pendingCharset = word.charset }
                let text = UnsafeBufferPointer(rebasing: input[word.text])
                if word.isBase64 {
                    Base64.decode(text, into: &pending)
                } else {
                    EncodedWord.decodeQ(text, into: &pending)
                }
                index = word.next
                literalStart = index
                literalIsSpace = true
                continue
            }
            if byte != 0x20 && byte != 0x09 && byte != 0x0D && byte != 0x0A { literalIsSpace = false }
            index += 1
        }
        // White space after the last word is text, so it is kept.
        flushPending()
        emitLiteral(literalStart..<count)
    }

    private func sameName(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        HeaderField.asciiCaseInsensitiveEqual(UnsafeBufferPointer(rebasing: input[a]), UnsafeBufferPointer(rebasing: input[b]))
    }

    /// Appends literal bytes, decoding 8-bit runs.
    private mutating func emitLiteral(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        let bytes = UnsafeBufferPointer(rebasing: input[range])
        if Charset.isASCII(bytes) {
            output.append(contentsOf: bytes)
        } else {
            output.append(contentsOf: Charset.decodeUnlabelled(buffer: bytes).utf8)
        }
    }

    /// Decodes the bytes of the pending words from their charset into `output`.
    private mutating func flushPending() {
        guard let range = pendingCharset else { return }
        pendingCharset = nil
        defer { pending.removeAll(keepingCapacity: true) }
        let charset = Charset(nameBytes: UnsafeBufferPointer(rebasing: input[range]))
        let table: [UInt16]?
        switch charset {
        case .iso8859_1, .windows1252: table = Charset.windows1252High
        case .iso8859_2: table = Charset.iso8859_2High
        case .iso8859_5: table = Charset.iso8859_5High
        case .iso8859_15: table = Charset.iso8859_15High
        case .koi8R: table = Charset.koi8rHigh
        case .koi8U: table = Charset.koi8uHigh
        case .windows1251: table = Charset.windows1251High
        case .utf8, .usASCII, nil: table = nil
        }
        guard let table else {
            pending.withUnsafeBufferPointer { bytes in
                if Charset.isASCII(bytes) {
                    output.append(contentsOf: bytes)
                } else if charset == .utf8 {
                    output.append(contentsOf: String(decoding: bytes, as: UTF8.self).utf8)
                } else {
                    output.append(contentsOf: Charset.decodeUnlabelled(buffer: bytes).utf8)
                }
            }
            return
        }
        for byte in pending {
            if byte < 0x80 {
                output.append(byte)
                continue
            }
            let scalar = table[Int(byte) - 0x80]
            if scalar < 0x800 {
                output.append(UInt8(0xC0 | (scalar >> 6)))
                output.append(UInt8(0x80 | (scalar & 0x3F)))
            } else {
                output.append(UInt8(0xE0 | (scalar >> 12)))
                output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                output.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
    }
}
