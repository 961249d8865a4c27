/// A `Content-Type` value, `type/subtype; parameters` (RFC 2045 §5, RFC 2046).
///
/// A missing or unreadable value means `text/plain; charset=us-ascii` (RFC 2045 §5.2).
public struct ContentType: Sendable, Hashable, CustomStringConvertible {
    /// The lower-cased top-level type, e.g. `text`, `multipart`.
    public var type: String
    /// The lower-cased subtype, e.g. `plain`, `mixed`.
    public var subtype: String
    /// The parameters (`charset`, `boundary`, `name`…).
    public var parameters: MIMEParameters

    /// Creates a content type; type and subtype are lower-cased.
    public init(type: String, subtype: String, parameters: MIMEParameters = MIMEParameters()) {
        self.type = type.lowercased()
        self.subtype = subtype.lowercased()
        self.parameters = parameters
    }

    /// `text/plain; charset=us-ascii`, the RFC 2045 §5.2 default.
    public static let defaultValue = ContentType(type: "text", subtype: "plain", parameters: MIMEParameters([("charset", "us-ascii")]))

    /// Parses a header value; falls back to ``defaultValue`` when there is no `type/subtype`.
    public init(parsing text: some StringProtocol) {
        self.init(parsing: ArraySlice(String(text).utf8))
    }

    /// Parses header value bytes (raw, folding allowed).
    public init(parsing bytes: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        let end = bytes.endIndex
        while index < end, HeaderField.isWhitespace(bytes[index]) { index += 1 }
        let typeStart = index
        while index < end, MIMEParameters.isToken(bytes[index]), bytes[index] != 0x2F { index += 1 }
        let typeEnd = index
        while index < end, HeaderField.isWhitespace(bytes[index]) { index += 1 }
        guard index < end, bytes[index] == 0x2F, typeEnd > typeStart else {
            self = ContentType.defaultValue
            return
        }
        index += 1
        while index < end, HeaderField.isWhitespace(bytes[index]) { index += 1 }
        let subtypeStart = index
        while index < end, MIMEParameters.isToken(bytes[index]) { index += 1 }
        guard index > subtypeStart else {
            self = ContentType.defaultValue
            return
        }
        self.init(
            type: String(decoding: bytes[typeStart..<typeEnd], as: UTF8.self),
            subtype: String(decoding: bytes[subtypeStart..<index], as: UTF8.self),
            parameters: MIMEParameters(parsing: bytes[index...])
        )
    }

    /// `type/subtype`.
    public var mimeType: String { "\(type)/\(subtype)" }
    /// The `charset` parameter.
    public var charset: String? { parameters["charset"] }
    /// The `boundary` parameter of a multipart (RFC 2046 §5.1.1).
    public var boundary: String? { parameters["boundary"] }
    /// The `name` parameter, an old way to give an attachment's file name.
    public var name: String? { parameters["name"] }
    /// Whether the type is `multipart`.
    public var isMultipart: Bool { type == "multipart" }
    /// Whether the type is `text`.
    public var isText: Bool { type == "text" }
    /// Whether this is an encapsulated message, `message/rfc822` or `message/global` (RFC 6532).
    public var isMessage: Bool { type == "message" && (subtype == "rfc822" || subtype == "global") }

    /// The value as written in a header, parameters folded onto their own lines.
    /// - Throws: ``MessageError`` with `headerInjection` for CR, LF or NUL in a parameter.
    public func headerValue() throws(MessageError) -> String {
        for part in [type, subtype] {
            guard !part.isEmpty, part.utf8.allSatisfy({ MIMEParameters.isToken($0) && $0 != 0x2F }) else {
                throw MessageError(.headerInjection, "a media type has a character not allowed in a token")
            }
        }
        return mimeType + (try parameters.encoded())
    }

    /// `type/subtype` and the parameters, unencoded.
    public var description: String {
        parameters.reduce(mimeType) { "\($0); \($1.name)=\"\($1.value)\"" }
    }
}
