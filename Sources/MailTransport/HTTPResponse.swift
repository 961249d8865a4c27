/// An HTTP response as ``HTTPClient`` received it (RFC 9110 §15, RFC 9112 §4).
///
/// The textual forms show the status, media type and size, never the body: a token endpoint's
/// answer is a secret.
public struct HTTPResponse: Sendable, Hashable, CustomStringConvertible {
    /// The status code.
    public var status: Int
    /// The media type, lower case, without parameters (`application/json`); empty when absent.
    public var contentType: String
    /// The header fields, names lower case, in the order received.
    public var headers: [HTTPHeaderField]
    /// The body, decoded from chunked transfer coding when it was sent so.
    public var body: [UInt8]
    /// The URL that answered.
    public var url: String

    /// A response; `contentType` is taken from `headers` when not given.
    public init(
        status: Int, contentType: String? = nil, headers: [HTTPHeaderField] = [], body: [UInt8], url: String
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url
        self.contentType = contentType ?? Self.mediaType(of: headers.value(of: "content-type") ?? "")
    }

    /// Whether the status is 2xx (RFC 9110 §15.3).
    public var isSuccess: Bool { (200...299).contains(status) }

    /// `HTTPResponse(200, application/json, 512 bytes)`.
    public var description: String {
        "HTTPResponse(\(status), \(contentType.isEmpty ? "no media type" : contentType), \(body.count) bytes)"
    }

    /// The media type of a `Content-Type` value: lower case, parameters dropped (RFC 9110 §8.3.1).
    public static func mediaType(of contentType: String) -> String {
        let type = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return String(type.filter { $0 != " " && $0 != "\t" }).lowercased()
    }
}
