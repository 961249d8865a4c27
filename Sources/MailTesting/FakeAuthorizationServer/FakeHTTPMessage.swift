import Foundation
import MailTransport

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
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
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
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? $0
            }
            fields[decode(halves[0])] = halves.count > 1 ? decode(halves.dropFirst().joined(separator: "=")) : ""
        }
        return fields
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
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return FakeHTTPAnswer(
            status: status, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
            body: Array(data))
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
