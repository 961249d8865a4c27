/// A position in an ``IMAPRawResponse`` and the grammar's small pieces (RFC 9051 §9): atoms,
/// numbers, quoted strings, literals, flag lists, and skipping values nobody asked for.
///
/// Nothing trusts a length: a literal announcement must match the literal that was read, a
/// number must fit its type, nesting is bounded.
struct IMAPResponseCursor {
    /// How deeply parenthesized lists may nest in values that are skipped (BODYSTRUCTURE nests).
    static let maximumDepth = 32

    let raw: IMAPRawResponse
    private(set) var line = 0
    private(set) var index = 0

    init(_ raw: IMAPRawResponse) throws(IMAPError) {
        guard !raw.lines.isEmpty, raw.literals.count == raw.lines.count - 1 else {
            throw IMAPError(.malformedResponse, detail: "a response's literals do not match its lines")
        }
        self.raw = raw
    }

    private var current: [UInt8] { raw.lines[line] }

    /// The next byte on the current line piece, nil at its end.
    func peek() -> UInt8? { index < current.count ? current[index] : nil }

    /// Whether everything was read (trailing spaces allowed, as some servers send them).
    mutating func isAtEnd() -> Bool {
        while peek() == UInt8(ascii: " ") { index += 1 }
        return line == raw.lines.count - 1 && index >= current.count
    }

    func fail(_ what: String) -> IMAPError {
        IMAPError(
            .malformedResponse, detail: "\(what) (line piece \(line + 1), offset \(index))", serverText: raw.summary)
    }

    mutating func expect(_ byte: UInt8) throws(IMAPError) {
        guard peek() == byte else { throw fail("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    /// Consumes `byte` when it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    mutating func space() throws(IMAPError) { try expect(UInt8(ascii: " ")) }

    /// ATOM-CHAR (RFC 9051 §9): anything but atom-specials `( ) { SP CTL % * " \ ]`.
    static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F, UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"),
            UInt8(ascii: "*"), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            false
        default: true
        }
    }

    /// Bytes while `accept` holds, at least one.
    mutating func token(_ what: String, _ accept: (UInt8) -> Bool) throws(IMAPError) -> String {
        let start = index
        while let byte = peek(), accept(byte) { index += 1 }
        guard index > start else { throw fail("expected \(what)") }
        return String(decoding: current[start..<index], as: UTF8.self)
    }

    /// An atom.
    mutating func atom() throws(IMAPError) -> String { try token("an atom", Self.isAtomChar) }

    /// An atom, upper-cased (keywords are case-insensitive).
    mutating func keyword() throws(IMAPError) -> String { try atom().uppercased() }

    /// A number of at most 19 digits that fits `UInt64` (RFC 9051 §9 `number64`).
    mutating func number() throws(IMAPError) -> UInt64 {
        let digits = try token("a number") { $0 >= 0x30 && $0 <= 0x39 }
        guard digits.utf8.count <= 19, let value = UInt64(digits) else { throw fail("a number out of range") }
        return value
    }

    /// A non-zero 32-bit number (UIDs, UIDVALIDITY, RFC 9051 §9 `nz-number`).
    mutating func nonZero32() throws(IMAPError) -> UInt32 {
        let value = try number()
        guard value > 0, value <= UInt64(UInt32.max) else { throw fail("a 32-bit number out of range") }
        return UInt32(value)
    }

    /// A number that fits `Int` (counts, sizes).
    mutating func count() throws(IMAPError) -> Int {
        let value = try number()
        guard value <= UInt64(Int32.max) * 1024 else { throw fail("a count out of range") }
        return Int(value)
    }

    /// `NIL`, case-insensitively, when it is next.
    mutating func takeNil() -> Bool {
        let bytes = current
        guard index + 3 <= bytes.count, bytes[index] | 0x20 == UInt8(ascii: "n"),
            bytes[index + 1] | 0x20 == UInt8(ascii: "i"), bytes[index + 2] | 0x20 == UInt8(ascii: "l"),
            index + 3 == bytes.count || !Self.isAtomChar(bytes[index + 3])
        else { return false }
        index += 3
        return true
    }

    /// A quoted string or a literal (RFC 9051 §4.3).
    mutating func string() throws(IMAPError) -> IMAPLiteralContent {
        if take(UInt8(ascii: "\"")) {
            var bytes: [UInt8] = []
            while true {
                guard let byte = peek() else { throw fail("a quoted string without its closing quote") }
                index += 1
                if byte == UInt8(ascii: "\"") { return .bytes(bytes) }
                if byte == UInt8(ascii: "\\") {
                    guard let escaped = peek(), escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") else {
                        throw fail("a bad escape in a quoted string")
                    }
                    index += 1
                    bytes.append(escaped)
                } else {
                    bytes.append(byte)
                }
            }
        }
        _ = take(UInt8(ascii: "~"))
        guard take(UInt8(ascii: "{")) else { throw fail("expected a string") }
        let announced = try number()
        try expect(UInt8(ascii: "}"))
        guard index == current.count, line + 1 < raw.lines.count else {
            throw fail("a literal announcement that does not end the line")
        }
        let literal = raw.literals[line]
        let actual: Int
        switch literal {
        case .bytes(let bytes): actual = bytes.count
        case .streamed(let size): actual = size
        case .none: actual = -1
        }
        guard UInt64(exactly: actual) == announced else { throw fail("a literal whose size is not the one announced") }
        line += 1
        index = 0
        return literal
    }

    /// `NIL` or a string.
    mutating func nstring() throws(IMAPError) -> IMAPLiteralContent {
        takeNil() ? .none : try string()
    }

    /// An atom (with `]` allowed, RFC 9051 §9 `ASTRING-CHAR`) or a string, as bytes.
    mutating func astring() throws(IMAPError) -> [UInt8] {
        if let byte = peek(), byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "{") || byte == UInt8(ascii: "~") {
            switch try string() {
            case .bytes(let bytes): return bytes
            default: throw fail("a streamed literal where a string was expected")
            }
        }
        return Array(try token("an astring") { Self.isAtomChar($0) || $0 == UInt8(ascii: "]") }.utf8)
    }

    /// `(flag flag ...)` with flags `\Seen`, `$Label`, `\*` (RFC 9051 §9 `flag-list`).
    mutating func flagList() throws(IMAPError) -> [String] {
        try expect(UInt8(ascii: "("))
        var flags: [String] = []
        while !take(UInt8(ascii: ")")) {
            if !flags.isEmpty { try space() }
            var flag = ""
            if take(UInt8(ascii: "\\")) {
                flag = "\\" + (take(UInt8(ascii: "*")) ? "*" : try atom())
            } else {
                flag = try atom()
            }
            flags.append(flag)
        }
        return flags
    }

    /// The rest of the current line piece as text.
    mutating func restOfLine() -> String {
        let text = String(decoding: current[index...], as: UTF8.self)
        index = current.count
        return text
    }

    /// Bytes up to (not including) `byte` on this line piece.
    mutating func upTo(_ byte: UInt8) throws(IMAPError) -> String {
        guard let end = current[index...].firstIndex(of: byte) else {
            throw fail("a missing '\(Character(Unicode.Scalar(byte)))'")
        }
        let text = String(decoding: current[index..<end], as: UTF8.self)
        index = end
        return text
    }

    /// Skips one value: an atom, number, string, `NIL`, or a parenthesized list of values.
    mutating func skipValue(depth: Int = 0) throws(IMAPError) {
        guard depth < Self.maximumDepth else { throw fail("lists nested too deeply") }
        switch peek() {
        case UInt8(ascii: "("):
            index += 1
            var first = true
            while !take(UInt8(ascii: ")")) {
                if !first { try space() }
                first = false
                try skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "\""), UInt8(ascii: "{"), UInt8(ascii: "~"):
            _ = try string()
        case UInt8(ascii: "\\"):
            index += 1
            if !take(UInt8(ascii: "*")) { _ = try atom() }
        default:
            // Atoms here may carry brackets and angle brackets (BODY[HEADER]<0>).
            _ = try token("a value") { Self.isAtomChar($0) || $0 == UInt8(ascii: "]") }
        }
    }

    /// Skips values up to the end of the response.
    mutating func skipRest() throws(IMAPError) {
        while !isAtEnd() {
            if peek() == UInt8(ascii: " ") {
                index += 1
                continue
            }
            if peek() == UInt8(ascii: ")") || peek() == UInt8(ascii: "*") || peek() == UInt8(ascii: "%") {
                index += 1
                continue
            }
            try skipValue()
        }
    }
}
