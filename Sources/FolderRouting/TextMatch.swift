/// How a routing condition compares a header's text with the user's text.
///
/// Every comparison ignores case (a user who types `Invoice` means `INVOICE` too),
/// using Unicode-aware lower-casing so that Cyrillic subjects match as well.
public enum TextMatch: Hashable, Sendable, Codable {
    /// The whole value equals the text.
    case equals(String)
    /// The value contains the text.
    case contains(String)
    /// The value starts with the text.
    case hasPrefix(String)
    /// The value ends with the text; `.hasSuffix("@example.com")` matches a domain.
    case hasSuffix(String)

    /// Whether `value` matches.
    public func matches(_ value: String) -> Bool {
        let value = value.lowercased()
        switch self {
        case .equals(let text): return value == text.lowercased()
        case .contains(let text): return value.contains(text.lowercased())
        case .hasPrefix(let text): return value.hasPrefix(text.lowercased())
        case .hasSuffix(let text): return value.hasSuffix(text.lowercased())
        }
    }
}
