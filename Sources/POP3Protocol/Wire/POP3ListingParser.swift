/// Small byte-level helpers shared by the LIST and UIDL parsers: walking the lines of a block
/// and reading a decimal number, without building a `String` per line.
enum POP3ListingParser {
    /// The largest accepted number: digits beyond this are a malformed answer, not an overflow.
    static let maximumDigits = 18

    /// Calls `body` with each non-empty line of `block`, line end removed.
    static func forEachLine(
        _ block: [UInt8], _ body: (ArraySlice<UInt8>) throws(POP3Error) -> Void
    ) throws(POP3Error) {
        var start = 0
        while start < block.count {
            var end = block[start...].firstIndex(of: UInt8(ascii: "\n")) ?? block.count
            let next = end + 1
            if end > start, block[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            if end > start { try body(block[start..<end]) }
            start = next
        }
    }

    /// The decimal number at the start of `bytes` (after spaces) and what follows it.
    static func leadingNumber<C: Collection<UInt8>>(_ bytes: C) -> (Int, C.SubSequence)? {
        let trimmed = bytes.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var value = 0
        var index = trimmed.startIndex
        var digits = 0
        while index < trimmed.endIndex, trimmed[index] >= UInt8(ascii: "0"), trimmed[index] <= UInt8(ascii: "9") {
            digits += 1
            guard digits <= maximumDigits else { return nil }
            value = value * 10 + Int(trimmed[index] - UInt8(ascii: "0"))
            index = trimmed.index(after: index)
        }
        guard digits > 0 else { return nil }
        if index < trimmed.endIndex, trimmed[index] != UInt8(ascii: " "), trimmed[index] != UInt8(ascii: "\t") {
            return nil
        }
        let rest = trimmed[index...].drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        return (value, rest)
    }
}
