/// A Message-ID, `<id-left@id-right>` (RFC 5322 §3.6.4), used for `Message-ID`,
/// `In-Reply-To` and `References`.
public struct MessageID: Sendable, Hashable, CustomStringConvertible {
    /// The part before the `@`.
    public let left: String
    /// The part after the `@`, usually a domain.
    public let right: String

    /// Creates an ID from its two halves.
    /// - Throws: ``MessageError`` with `invalidMessageID` when a half is empty or contains
    ///   white space, control characters, `<`, `>` or `@`.
    public init(left: String, right: String) throws(MessageError) {
        for part in [left, right] {
            guard !part.isEmpty,
                part.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F && $0 != 0x3C && $0 != 0x3E && $0 != 0x40 })
            else { throw MessageError(.invalidMessageID, "a Message-ID half is empty or has a forbidden character") }
        }
        self.left = left
        self.right = right
    }

    /// Parses `<left@right>`; the brackets are optional.
    public init(parsing text: some StringProtocol) throws(MessageError) {
        var trimmed = Substring(String(text)).drop { $0 == " " || $0 == "\t" }
        while let last = trimmed.last, last == " " || last == "\t" || last == "\r" || last == "\n" {
            trimmed = trimmed.dropLast()
        }
        if trimmed.hasPrefix("<"), trimmed.hasSuffix(">") { trimmed = trimmed.dropFirst().dropLast() }
        guard let at = trimmed.lastIndex(of: "@") else {
            throw MessageError(.invalidMessageID, "a Message-ID needs an @")
        }
        try self.init(left: String(trimmed[..<at]), right: String(trimmed[trimmed.index(after: at)...]))
    }

    /// Every `<…@…>` in a value such as `References`, in order; malformed ones are skipped.
    public static func list(in text: some StringProtocol) -> [MessageID] {
        var result: [MessageID] = []
        var current: Substring.Index?
        let string = Substring(String(text))
        var index = string.startIndex
        while index < string.endIndex {
            let character = string[index]
            if character == "<" {
                current = string.index(after: index)
            } else if character == ">", let start = current {
                if let id = try? MessageID(parsing: string[start..<index]) { result.append(id) }
                current = nil
            }
            index = string.index(after: index)
        }
        return result
    }

    /// A new, globally unique ID: 128 random bits and the time in base 36, at `domain`
    /// (use the sender's domain, RFC 5322 §3.6.4).
    public static func generate(domain: String, using generator: inout some RandomNumberGenerator) -> MessageID {
        let random = (0..<2).map { _ in String(generator.next() as UInt64, radix: 36) }.joined(separator: ".")
        let right = domain.isEmpty || !domain.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3C && $0 != 0x3E && $0 != 0x40 })
            ? "maillink.invalid" : domain
        // Both halves are made of safe characters, so this cannot fail.
        return (try? MessageID(left: random, right: right)) ?? MessageID(unchecked: random, right: "maillink.invalid")
    }

    /// A new ID from the system's random number generator.
    public static func generate(domain: String) -> MessageID {
        var generator = SystemRandomNumberGenerator()
        return generate(domain: domain, using: &generator)
    }

    private init(unchecked left: String, right: String) {
        self.left = left
        self.right = right
    }

    /// `<left@right>`.
    public var description: String { "<\(left)@\(right)>" }
}
