import MailMessage
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One HTTP/1.1 request as the server read it (RFC 9112): the head parsed, the body whole.
public struct WebRequest: Sendable {
    /// The method, as sent (`GET`, `POST`, …).
    public var method: String
    /// The path of the origin-form target, percent-decoded, without the query.
    public var path: String
    /// The query's fields in order (`application/x-www-form-urlencoded`, as forms send them).
    public var query: [(name: String, value: String)]
    /// The header fields in order, names as sent.
    public var headers: [(name: String, value: String)]
    /// The body (at most ``HTTPLimits/maximumBodyBytes``).
    public var body: [UInt8]

    /// A request.
    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The first value of header `name` (compared without case).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The first value of query field `name`.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// The cookies of the `Cookie` header (RFC 6265 §5.4), first value of each name.
    public var cookies: [String: String] {
        var result: [String: String] = [:]
        for header in headers where header.name.lowercased() == "cookie" {
            for pair in header.value.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { continue }
                let name = parts[0].trimmingWhiteSpace()
                if result[name] == nil { result[name] = parts[1].trimmingWhiteSpace() }
            }
        }
        return result
    }

    /// The fields of a form body (`application/x-www-form-urlencoded`); empty for any other body.
    public var form: [(name: String, value: String)] {
        guard let type = header("content-type")?.lowercased(),
            type.hasPrefix("application/x-www-form-urlencoded")
        else { return [] }
        return HTTPForm.decode(String(decoding: body, as: UTF8.self))
    }

    /// The first value of form field `name`.
    public func formValue(_ name: String) -> String? { form.first { $0.name == name }?.value }
}

/// Why a request was refused before it reached the application, with the status that says so.
public enum WebRequestError: Error, Sendable, Equatable {
    /// Not HTTP/1.x, or a head that does not follow RFC 9112's grammar: 400.
    case malformed(String)
    /// The head is larger than ``HTTPLimits/maximumHeaderBytes`` or has too many fields: 431 (RFC 6585 §5).
    case headerTooLarge
    /// The body is larger than ``HTTPLimits/maximumBodyBytes``: 413 (RFC 9110 §15.5.14).
    case bodyTooLarge
    /// A request body in `Transfer-Encoding` (chunked): 501; this server takes `Content-Length` only.
    case transferEncodingUnsupported
    /// The head or the body did not arrive within ``HTTPLimits/requestTimeout``: 408.
    case timedOut

    /// The response status.
    public var status: Int {
        switch self {
        case .malformed: 400
        case .headerTooLarge: 431
        case .bodyTooLarge: 413
        case .transferEncodingUnsupported: 501
        case .timedOut: 408
        }
    }
}

/// The request head parser: a pure function over bytes, so every rule is tested without a socket.
public enum WebRequestParser {
    /// Parses a request head (the request line and the header fields, without the empty line
    /// that ends them) and returns the request without its body, and the body's length.
    ///
    /// Strict where leniency has let requests be smuggled (RFC 9112 §11.2): no whitespace
    /// before a field's colon, no obsolete line folding, one `Content-Length` only, no request
    /// body in `Transfer-Encoding`, CR only before LF.
    public static func parseHead(
        _ head: ArraySlice<UInt8>, limits: HTTPLimits
    ) throws(WebRequestError) -> (request: WebRequest, contentLength: Int) {
        guard head.count <= limits.maximumHeaderBytes else { throw .headerTooLarge }
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            if head[index] == UInt8(ascii: "\n") {
                var end = index
                if end > start, head[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                lines.append(head[start..<end])
                start = index + 1
            }
            index += 1
        }
        if start < head.endIndex { lines.append(head[start..<head.endIndex]) }
        guard let requestLine = lines.first else { throw .malformed("empty request") }
        guard lines.count - 1 <= limits.maximumHeaderFields else { throw .headerTooLarge }
        for line in lines where line.contains(where: { $0 == 0 || $0 == UInt8(ascii: "\r") }) {
            throw .malformed("a control character in the head")
        }

        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("the request line is not METHOD TARGET VERSION") }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenCharacter) else { throw .malformed("bad method") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { throw .malformed("not HTTP/1.x") }
        guard target.hasPrefix("/"), target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("the target is not a path")
        }

        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                throw .malformed("obsolete line folding")
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw .malformed("a field without a colon")
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { throw .malformed("bad field name") }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingWhiteSpace()
            headers.append((String(decoding: name, as: UTF8.self), value))
        }

        let lengths = headers.filter { $0.name.lowercased() == "content-length" }.map(\.value)
        if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" }) {
            throw .transferEncodingUnsupported
        }
        var contentLength = 0
        if let length = lengths.first {
            guard Set(lengths).count == 1, !length.isEmpty, length.count <= 12, length.utf8.allSatisfy(isDigit),
                let value = Int(length)
            else { throw .malformed("bad Content-Length") }
            contentLength = value
        }
        guard contentLength <= limits.maximumBodyBytes else { throw .bodyTooLarge }
        if version == "HTTP/1.1", !headers.contains(where: { $0.name.lowercased() == "host" }) {
            throw .malformed("no Host field")
        }

        let (rawPath, rawQuery) = splitTarget(target)
        guard let path = HTTPForm.percentDecoded(rawPath) else { throw .malformed("bad percent-encoding") }
        let query = rawQuery.map { HTTPForm.decode($0) } ?? []
        return (WebRequest(method: method, path: path, query: query, headers: headers), contentLength)
    }

    private static func splitTarget(_ target: String) -> (String, String?) {
        guard let mark = target.firstIndex(of: "?") else { return (target, nil) }
        return (String(target[..<mark]), String(target[target.index(after: mark)...]))
    }

    /// RFC 9110 §5.6.2 `tchar`.
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
