/// The mailboxes of an address header such as `To` or `Cc` (RFC 5322 §3.4).
///
/// Parsing is tolerant and linear: display names as atoms, quoted strings or encoded words,
/// comments (a trailing `(Name)` is used as the display name when there is none), groups
/// (`team: a@x, b@y;`, flattened, the group name kept on each entry), obsolete routes
/// (`<@relay:user@host>`, RFC 5322 §4.4) and missing brackets. Entries that do not hold a
/// valid address are listed in ``invalid`` instead of failing the whole list, and so are entries
/// that could only be read by changing them: a control character anywhere (other than folding
/// white space), an unquoted `@` in a display name. For an address a person typed, use the
/// strict ``Mailbox/init(_:)``.
public struct AddressList: Sendable, Hashable {
    /// One mailbox and the group it was listed in, if any.
    public struct Entry: Sendable, Hashable {
        /// The mailbox.
        public var mailbox: Mailbox
        /// The group's display name when the mailbox was inside a group.
        public var group: String?
    }

    /// Every valid mailbox in order, groups flattened.
    public var entries: [Entry]
    /// The text of entries that could not be read as an address.
    public var invalid: [String]

    /// The mailboxes without group information.
    public var mailboxes: [Mailbox] { entries.map(\.mailbox) }

    /// Creates a list from mailboxes.
    public init(_ mailboxes: [Mailbox]) {
        self.entries = mailboxes.map { Entry(mailbox: $0, group: nil) }
        self.invalid = []
    }

    /// Parses a header value (raw or unfolded).
    public init(parsing text: some StringProtocol) {
        self.init(parsing: ArraySlice(String(text).utf8))
    }

    /// Parses the value of a header field.
    public init(field: HeaderField) {
        self.init(parsing: field.rawValue)
    }

    /// Parses header value bytes.
    public init(parsing bytes: ArraySlice<UInt8>) {
        var parser = AddressListParser(bytes: bytes)
        parser.run()
        self.entries = parser.entries
        self.invalid = parser.invalid
    }
}

/// The tokenizer and state of ``AddressList`` parsing.
struct AddressListParser {
    enum Token {
        case word([UInt8], quoted: Bool, spaceBefore: Bool)
        case special(UInt8)
    }

    let bytes: ArraySlice<UInt8>
    var entries: [AddressList.Entry] = []
    var invalid: [String] = []
    var tokens: [Token] = []
    var comment: [UInt8] = []
    var group: String?
    /// Whether the current mailbox has an `@` yet (a later `:` is then not a group name).
    var sawAt = false
    /// Whether the current entry holds a control character (other than folding white space):
    /// read as an address it would become another one (`a<0x01>b@x` is not `ab@x`), so the
    /// entry is listed as invalid.
    var sawControl = false

    init(bytes: ArraySlice<UInt8>) { self.bytes = bytes }

    mutating func run() {
        var index = bytes.startIndex
        let end = bytes.endIndex
        var inAngle = false
        var space = false
        while index < end {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0D, 0x0A:
                space = true
                index += 1
                continue
            case 0x00...0x1F, 0x7F:
                sawControl = true
                space = true
                index += 1
                continue
            case 0x28:  // comment, nested, bounded by the input
                var depth = 0
                var text: [UInt8] = []
                while index < end {
                    let c = bytes[index]
                    if c == 0x5C, index + 1 < end {
                        if depth > 0 { text.append(bytes[index + 1]) }
                        index += 2
                        continue
                    }
                    if c == 0x28 {
                        depth += 1
                        if depth > 1 { text.append(c) }
                    } else if c == 0x29 {
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            break
                        }
                        text.append(c)
                    } else {
                        text.append(c)
                    }
                    index += 1
                }
                if comment.isEmpty { comment = text }
                space = true
                continue
            case 0x22:  // quoted string
                var text: [UInt8] = []
                index += 1
                while index < end, bytes[index] != 0x22 {
                    if bytes[index] == 0x5C, index + 1 < end { index += 1 }
                    let c = bytes[index]
                    if c != 0x0D && c != 0x0A { text.append(c) }
                    if (c < 0x20 && c != 0x09 && c != 0x0D && c != 0x0A) || c == 0x7F { sawControl = true }
                    index += 1
                }
                index += 1
                tokens.append(.word(text, quoted: true, spaceBefore: space))
            case 0x5B:  // domain literal
                var text: [UInt8] = [byte]
                index += 1
                while index < end, bytes[index] != 0x5D {
                    if bytes[index] > 0x20 { text.append(bytes[index]) }
                    index += 1
                }
                text.append(0x5D)
                index += 1
                tokens.append(.word(text, quoted: false, spaceBefore: space))
            case 0x3C:
                inAngle = true
                tokens.append(.special(byte))
                index += 1
            case 0x3E:
                inAngle = false
                tokens.append(.special(byte))
                index += 1
            case 0x2C:
                index += 1
                if inAngle {
                    tokens.append(.special(byte))  // obsolete route list
                } else {
                    finishMailbox()
                }
            case 0x3A:
                index += 1
                if inAngle || sawAt {
                    tokens.append(.special(byte))
                } else {
                    group = phraseText(tokens[...])
                    tokens.removeAll()
                    comment.removeAll()
                }
            case 0x3B:
                index += 1
                if inAngle {
                    tokens.append(.special(byte))
                } else {
                    finishMailbox()
                    group = nil
                }
            case 0x40:
                sawAt = true
                tokens.append(.special(byte))
                index += 1
            default:
                var text: [UInt8] = []
                while index < end {
                    let c = bytes[index]
                    if c <= 0x20 || c == 0x7F || c == 0x28 || c == 0x29 || c == 0x3C || c == 0x3E || c == 0x40
                        || c == 0x2C
                        || c == 0x3A || c == 0x3B || c == 0x22 || c == 0x5B || c == 0x5D || c == 0x5C
                    {
                        break
                    }
                    text.append(c)
                    index += 1
                }
                if text.isEmpty {
                    index += 1  // a stray ] or backslash
                } else {
                    tokens.append(.word(text, quoted: false, spaceBefore: space))
                }
            }
            space = false
        }
        finishMailbox()
    }

    /// Joins phrase words with spaces and decodes encoded words.
    func phraseText(_ words: ArraySlice<Token>) -> String? {
        var joined: [UInt8] = []
        for token in words {
            guard case .word(let text, _, _) = token else { continue }
            if !joined.isEmpty { joined.append(0x20) }
            joined += text
        }
        guard !joined.isEmpty else { return nil }
        return EncodedWord.decodeText(joined[...])
    }

    /// Concatenates address tokens; quoted words get their quotes back.
    func addressText(_ parts: ArraySlice<Token>) -> String {
        var text: [UInt8] = []
        for token in parts {
            switch token {
            case .word(let word, let quoted, _):
                if quoted {
                    text.append(0x22)
                    for byte in word {
                        if byte == 0x22 || byte == 0x5C { text.append(0x5C) }
                        text.append(byte)
                    }
                    text.append(0x22)
                } else {
                    text += word
                }
            case .special(let byte):
                text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    mutating func finishMailbox() {
        defer {
            tokens.removeAll(keepingCapacity: true)
            comment.removeAll()
            sawAt = false
            sawControl = false
        }
        guard !tokens.isEmpty else { return }
        guard !sawControl else {
            invalid.append(addressText(tokens[...]))
            return
        }
        var display: String?
        var address: String
        if let open = tokens.firstIndex(where: { if case .special(0x3C) = $0 { true } else { false } }) {
            // An unquoted `@` (or `>`) in the display name (`Joe@Work <joe@x>`): dropping it
            // would show another name than the one written, so the entry is invalid.
            guard !tokens[..<open].contains(where: { if case .special = $0 { true } else { false } }) else {
                invalid.append(addressText(tokens[...]))
                return
            }
            display = phraseText(tokens[..<open])
            let close =
                tokens[open...].firstIndex(where: { if case .special(0x3E) = $0 { true } else { false } })
                ?? tokens.endIndex
            var inner = tokens[(open + 1)..<close]
            // Obsolete route "@a,@b:" before the address: drop it.
            if let colon = inner.lastIndex(where: { if case .special(0x3A) = $0 { true } else { false } }) {
                inner = inner[(colon + 1)...]
            }
            address = addressText(inner)
        } else if let at = tokens.lastIndex(where: { if case .special(0x40) = $0 { true } else { false } }) {
            // No brackets: the word right before "@" (and words glued to it) is the local
            // part; earlier words separated by space are taken as a display name.
            var localStart = at
            while localStart > tokens.startIndex {
                localStart -= 1
                if case .word(_, _, let spaced) = tokens[localStart], spaced { break }
            }
            display = phraseText(tokens[..<localStart])
            address = addressText(tokens[localStart...])
        } else {
            invalid.append(addressText(tokens[...]))
            return
        }
        if display == nil, !comment.isEmpty {
            display = EncodedWord.decodeText(HeaderField.trimmed(comment[...]))
        }
        do {
            let email = try EmailAddress(address)
            entries.append(.init(mailbox: Mailbox(verifiedDisplayName: display, address: email), group: group))
        } catch {
            invalid.append(address)
        }
    }
}
