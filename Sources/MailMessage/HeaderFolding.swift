/// Writes header fields as CRLF lines, folded at spaces (RFC 5322 §2.2.3) so lines stay
/// within 78 characters where the content allows and never exceed 998 octets (§2.1.1).
struct HeaderFolding {
    /// The soft limit RFC 5322 §2.1.1 recommends.
    static let preferredLineLength = 78
    /// The hard limit RFC 5322 §2.1.1 imposes.
    static let maxLineLength = 998

    private(set) var bytes: [UInt8] = []

    /// Appends `name: value`, folding `value` at spaces. The caller guarantees the value has
    /// no CR, LF or NUL and no run without spaces longer than the hard limit.
    mutating func append(name: String, value: String) {
        var line = name + ":"
        var column = line.utf8.count
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            let length = word.utf8.count
            // Folding right after the colon is allowed too (FWS, RFC 5322 §3.2.2).
            if length > 0, column + 1 + length > HeaderFolding.preferredLineLength, column > 1 {
                line += "\r\n " + word
                column = 1 + length
            } else {
                line += " " + word
                column += 1 + length
            }
        }
        bytes += Array(line.utf8)
        bytes += [0x0D, 0x0A]
    }

    /// Appends a raw, already folded line such as `Content-Type` with its parameters.
    mutating func appendRaw(name: String, value: String) {
        bytes += Array("\(name): \(value)\r\n".utf8)
    }

    /// Refuses values that could inject fields or lines.
    static func checkInjection(_ value: String, what: String) throws(MessageError) {
        if value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) {
            throw MessageError(.headerInjection, "\(what) contains CR, LF or NUL")
        }
    }

    /// Unstructured text (RFC 5322 §3.2.5): as is when it is printable ASCII with words that
    /// fit on a line, else RFC 2047 encoded words.
    static func unstructured(_ text: String) -> String {
        let longestWord = text.split(separator: " ").map(\.utf8.count).max() ?? 0
        if !EncodedWord.needsEncoding(text), longestWord <= preferredLineLength - 12 {
            return text
        }
        return EncodedWord.encode(text, context: .text).joined(separator: " ")
    }
}
