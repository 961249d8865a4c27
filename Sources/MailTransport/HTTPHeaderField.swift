/// One HTTP header field (RFC 9110 §5): a name, lower case in responses, and its value.
public struct HTTPHeaderField: Sendable, Hashable {
    /// The field name (case-insensitive on the wire; responses store it lower case).
    public var name: String
    /// The field value, without surrounding white space.
    public var value: String

    /// A header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension [HTTPHeaderField] {
    /// The value of the first field called `name` (compared case-insensitively).
    public func value(of name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
