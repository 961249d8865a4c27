/// A `Content-Disposition` value (RFC 2183): whether a part is shown inline or is an
/// attachment, and its file name (RFC 2231 names decoded).
public struct ContentDisposition: Sendable, Hashable {
    /// The lower-cased disposition type, usually `inline` or `attachment`.
    public var kind: String
    /// The parameters (`filename`, `size`…).
    public var parameters: MIMEParameters

    /// Creates a disposition.
    public init(kind: String, parameters: MIMEParameters = MIMEParameters()) {
        self.kind = kind.lowercased()
        self.parameters = parameters
    }

    /// Parses a header value; an empty or unreadable type reads as `attachment` when a
    /// file name is present, else `inline`.
    public init(parsing bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        while index < bytes.endIndex, HeaderField.isWhitespace(bytes[index]) { index += 1 }
        let start = index
        while index < bytes.endIndex, MIMEParameters.isToken(bytes[index]) { index += 1 }
        let parameters = MIMEParameters(parsing: bytes[index...])
        var kind = String(decoding: bytes[start..<index], as: UTF8.self).lowercased()
        if kind.isEmpty { kind = parameters["filename"] == nil ? "inline" : "attachment" }
        self.init(kind: kind, parameters: parameters)
    }

    /// Parses a header value given as text.
    public init(parsing text: some StringProtocol) {
        self.init(parsing: ArraySlice(String(text).utf8))
    }

    /// Whether the part is an attachment.
    public var isAttachment: Bool { kind == "attachment" }
    /// The `filename` parameter, decoded.
    public var filename: String? { parameters["filename"] }

    /// The value as written in a header.
    /// - Throws: ``MessageError`` with `headerInjection` for CR, LF or NUL in a parameter.
    public func headerValue() throws(MessageError) -> String {
        guard !kind.isEmpty, kind.utf8.allSatisfy(MIMEParameters.isToken) else {
            throw MessageError(.headerInjection, "a disposition type has a character not allowed in a token")
        }
        return kind + (try parameters.encoded())
    }
}
