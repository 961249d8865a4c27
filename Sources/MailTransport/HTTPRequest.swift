/// One HTTP/1.1 request for ``HTTPClient``: a method, an absolute URL, extra header fields and a body.
///
/// The textual forms never show the body or header values, because a request to a token
/// endpoint carries secrets (an authorization code, a refresh token, a client secret).
///
/// ```swift
/// let request = HTTPRequest.form(
///     "https://login.example/token", fields: [("grant_type", "refresh_token"), ("refresh_token", token)])
/// ```
public struct HTTPRequest: Sendable, Hashable, CustomStringConvertible {
    /// The request methods this client sends (RFC 9110 §9.3).
    public enum Method: String, Sendable, Hashable {
        /// `GET`: fetch a resource (RFC 9110 §9.3.1).
        case get = "GET"
        /// `POST`: submit a body (RFC 9110 §9.3.3).
        case post = "POST"
    }

    /// The method.
    public var method: Method
    /// The absolute `http` or `https` URL.
    public var url: String
    /// Header fields besides `Host`, `User-Agent`, `Content-Length` and `Connection`, which the
    /// client writes itself.
    public var headers: [HTTPHeaderField]
    /// The body (empty for `GET`).
    public var body: [UInt8]

    /// A request.
    public init(method: Method, url: String, headers: [HTTPHeaderField] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// A `GET` of `url` that accepts the media types in `accept`.
    public static func get(_ url: String, accept: String) -> HTTPRequest {
        HTTPRequest(method: .get, url: url, headers: [HTTPHeaderField(name: "Accept", value: accept)])
    }

    /// A `POST` of `fields` as `application/x-www-form-urlencoded` (the encoding OAuth 2.0
    /// token requests use, RFC 6749 Appendix B), accepting `accept`.
    public static func form(
        _ url: String, fields: [(name: String, value: String)], accept: String = "application/json",
        headers: [HTTPHeaderField] = []
    ) -> HTTPRequest {
        HTTPRequest(
            method: .post, url: url,
            headers: [
                HTTPHeaderField(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                HTTPHeaderField(name: "Accept", value: accept),
            ] + headers,
            body: Array(HTTPForm.encode(fields).utf8))
    }

    /// `HTTPRequest(POST https://host/path, 120 bytes)`: no header values, no body.
    public var description: String {
        let query = url.firstIndex(of: "?").map { String(url[..<$0]) + "?…" } ?? url
        return "HTTPRequest(\(method.rawValue) \(query), \(body.count) bytes)"
    }
}
