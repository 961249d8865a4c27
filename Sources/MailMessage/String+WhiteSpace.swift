extension StringProtocol {
    /// The text without leading and trailing white space: every scalar Unicode calls white
    /// space (spaces, tabs, CR, LF, no-break and other wide spaces), as Foundation's
    /// `.whitespacesAndNewlines` trims, without Foundation.
    ///
    /// Shared by this package's targets; not part of the public interface.
    package func trimmingWhiteSpace() -> String {
        let scalars = String(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
