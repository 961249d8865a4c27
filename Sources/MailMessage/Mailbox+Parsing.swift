/// The strict reading of one typed mailbox (``Mailbox/init(_:)``): what a person or a program
/// gives as an address is taken exactly as written or refused, never rewritten into another.
///
/// Accepted (RFC 5322 §3.4 `mailbox`, without the obsolete forms and comments):
/// - `local@domain` (an `addr-spec`, RFC 5322 §3.4.1; a local part with spaces must be quoted:
///   `"a b"@example.com`),
/// - `Display Name <local@domain>`, the display name as atoms (and dots), or as one quoted
///   string that may hold any printable character (`"Joe@Work, Inc." <joe@example.com>`),
///   or as RFC 2047 encoded words,
/// - `<local@domain>`.
///
/// Refused: any control character (C0, DEL, C1: CR, LF, NUL and TAB included) anywhere; an
/// unquoted `@`, `<`, `>`, `,`, `;`, `:`, `(`, `)`, `[`, `]`, `\` or `"` in a display name; a
/// bare address with spaces; anything after `>`; two addresses.
extension Mailbox {
    static func parseStrictly(_ text: String) throws(MessageError) -> Mailbox {
        if let scalar = text.unicodeScalars.first(where: Self.isControl) {
            throw MessageError(
                .invalidAddress,
                "an address contains a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))")
        }
        let bytes = Self.trimmedSpaces(Array(text.utf8)[...])
        guard !bytes.isEmpty else { throw MessageError(.invalidAddress, "the address is empty") }
        guard bytes.last == UInt8(ascii: ">") else {
            if bytes.contains(UInt8(ascii: "<")) || bytes.contains(UInt8(ascii: ">")) {
                throw MessageError(.invalidAddress, "an address has an unmatched angle bracket")
            }
            if bytes.first != UInt8(ascii: "\""), bytes.contains(UInt8(ascii: " ")) {
                throw MessageError(
                    .invalidAddress,
                    "an address without angle brackets cannot contain spaces: quote the local part or write Name <address>"
                )
            }
            return Mailbox(address: try EmailAddress(String(decoding: bytes, as: UTF8.self)))
        }
        guard let open = Self.firstUnquotedAngle(in: bytes) else {
            throw MessageError(.invalidAddress, "an address has an unmatched angle bracket")
        }
        let inner = bytes[(open + 1)..<(bytes.endIndex - 1)]
        guard !inner.contains(where: { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == 0x20 }) else {
            throw MessageError(.invalidAddress, "the address between angle brackets is malformed")
        }
        let address = try EmailAddress(String(decoding: inner, as: UTF8.self))
        let phrase = Self.trimmedSpaces(bytes[..<open])
        guard !phrase.isEmpty else { return Mailbox(address: address) }
        return Mailbox(verifiedDisplayName: try Self.displayName(phrase), address: address)
    }

    /// The display name a phrase stands for: one quoted string, or atoms, dots and spaces
    /// (encoded words decoded).
    private static func displayName(_ phrase: ArraySlice<UInt8>) throws(MessageError) -> String {
        if phrase.first == UInt8(ascii: "\"") {
            var text: [UInt8] = []
            var index = phrase.startIndex + 1
            while index < phrase.endIndex, phrase[index] != UInt8(ascii: "\"") {
                if phrase[index] == UInt8(ascii: "\\") {
                    index += 1
                    guard index < phrase.endIndex else { break }
                }
                text.append(phrase[index])
                index += 1
            }
            guard index == phrase.endIndex - 1 else {
                throw MessageError(
                    .invalidAddress,
                    "a quoted display name must be closed and be the whole name: \"Name\" <address>")
            }
            return String(decoding: text, as: UTF8.self)
        }
        for byte in phrase where !(EmailAddress.isAtext(byte) || byte == 0x20 || byte == UInt8(ascii: ".")) {
            let character = Character(Unicode.Scalar(byte))
            throw MessageError(
                .invalidAddress,
                "a display name cannot contain an unquoted \"\(character)\": put the name in double quotes")
        }
        let name = EncodedWord.decodeText(phrase)
        if name.unicodeScalars.contains(where: Self.isControl) {
            throw MessageError(.invalidAddress, "a display name decodes to a control character")
        }
        return name
    }

    /// The index of the `<` that opens the address: the first one outside a quoted string.
    private static func firstUnquotedAngle(in bytes: ArraySlice<UInt8>) -> Int? {
        var quoted = false
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch bytes[index] {
            case UInt8(ascii: "\\") where quoted: index += 1
            case UInt8(ascii: "\""): quoted.toggle()
            case UInt8(ascii: "<") where !quoted: return index
            default: break
            }
            index += 1
        }
        return nil
    }

    private static func trimmedSpaces(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var result = bytes
        while result.first == 0x20 { result = result.dropFirst() }
        while result.last == 0x20 { result = result.dropLast() }
        return result
    }

    /// Unicode's control characters (general category Cc): U+0000–U+001F, U+007F–U+009F.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F)
    }
}
