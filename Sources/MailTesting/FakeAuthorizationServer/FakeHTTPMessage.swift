import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// An HTTP/1.1 request as the fake authorization server reads it: its own small parser
/// (RFC 9112 §3, Content-Length bodies only), independent of the client's.
struct FakeHTTPRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var headers: [String: String]
    var form: [String: String]

    /// Reads one request from `connection`; nil when it closes first or sends garbage.
    static func read(from connection: any ServerSideConnection, limit: Int = 64 * 1024) async -> FakeHTTPRequest? {
        var buffer: [UInt8] = []
        var headerEnd: Int?
        while headerEnd == nil {
            guard buffer.count < limit, let bytes = try? await connection.receive(maximumCount: 8192) else {
                return nil
            }
            buffer += bytes
            headerEnd = searchBlankLine(buffer)
        }
        guard let headerEnd else { return nil }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].components(separatedBy: " ")
        guard requestLine.count == 3 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers[line[..<colon].lowercased()] = String(
                line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
                    .reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard length <= limit else { return nil }
        var body = Array(buffer[(headerEnd + 4)...])
        while body.count < length {
            guard let bytes = try? await connection.receive(maximumCount: 8192) else { return nil }
            body += bytes
        }
        let target = requestLine[1]
        let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
        let queryText = pathEnd < target.endIndex ? String(target[target.index(after: pathEnd)...]) : ""
        let isForm = headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true
        return FakeHTTPRequest(
            method: requestLine[0], path: String(target[..<pathEnd]), query: formFields(queryText), headers: headers,
            form: isForm ? formFields(String(decoding: body.prefix(length), as: UTF8.self)) : [:])
    }

    /// The fields of a form or query; a repeated name keeps its last value, which the handlers
    /// refuse where RFC 6749 §3.1 forbids repeats (they are rare in tests).
    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.components(separatedBy: "&") where !pair.isEmpty {
            let halves = pair.components(separatedBy: "=")
            let decode: (String) -> String = {
                percentDecoded($0.replacing("+", with: " ")) ?? $0
            }
            fields[decode(halves[0])] = halves.count > 1 ? decode(halves.dropFirst().joined(separator: "=")) : ""
        }
        return fields
    }

    /// `%XX` escapes decoded (RFC 3986 §2.1); nil when an escape is malformed or the bytes are
    /// not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func searchBlankLine(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}

/// An answer the fake writes: a status, extra headers and a body.
struct FakeHTTPAnswer: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: [UInt8] = []

    /// A JSON answer (`Cache-Control: no-store`, as RFC 6749 §5.1 requires for tokens).
    static func json(_ status: Int, _ object: [String: any Sendable]) -> FakeHTTPAnswer {
        FakeHTTPAnswer(
            status: status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
            body: Array(jsonText(object).utf8))
    }

    /// The fake's own small JSON writer (RFC 8259), independent of the client's reader: objects
    /// with sorted keys, arrays, strings, whole numbers and booleans, the shapes its answers use.
    static func jsonText(_ value: any Sendable) -> String {
        switch value {
        case let text as String:
            var escaped = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case "\r": escaped += "\\r"
                case "\t": escaped += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    escaped += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return escaped + "\""
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int: return String(number)
        case let values as [any Sendable]: return "[" + values.map(jsonText).joined(separator: ",") + "]"
        case let members as [String: any Sendable]:
            let pairs = members.keys.sorted().map { jsonText($0) + ":" + jsonText(members[$0] ?? "") }
            return "{" + pairs.joined(separator: ",") + "}"
        default: return "null"
        }
    }

    /// An RFC 6749 §5.2 error object.
    static func oauthError(_ status: Int, _ error: String, _ description: String? = nil) -> FakeHTTPAnswer {
        var object: [String: any Sendable] = ["error": error]
        if let description { object["error_description"] = description }
        return json(status, object)
    }

    /// A redirect to `location`.
    static func redirect(_ location: String) -> FakeHTTPAnswer {
        FakeHTTPAnswer(status: 302, headers: [("Location", location)])
    }

    /// The bytes on the wire.
    var bytes: [UInt8] {
        let reasons = [
            200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed",
        ]
        var head = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }
}
