/// Recognises IP literals without needing the transport module (keeps the pure core standalone).
enum TLSLiteral {
    /// Whether `text` is a dotted IPv4 address or contains `:` (IPv6).
    static func isIP(_ text: String) -> Bool {
        if text.contains(":") { return true }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in UInt8(part) != nil }
    }
}
