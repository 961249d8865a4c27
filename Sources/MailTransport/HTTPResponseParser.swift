/// Parses an HTTP/1.1 response (RFC 9112) from the bytes received so far.
///
/// Pure and bounded: the header block may be at most 32 KiB, the body at most `maximumBody`
/// bytes; `Content-Length` and `chunked` bodies are supported, otherwise the body runs until
/// the connection closes. Incomplete input asks for more; input that cannot become valid is
/// an error.
package struct HTTPResponseParser {
    /// The outcome of one parse attempt.
    package enum Outcome: Equatable {
        /// More bytes are needed.
        case needMore
        /// A complete response.
        case complete(status: Int, headers: [(String, String)], body: [UInt8])

        package static func == (left: Outcome, right: Outcome) -> Bool {
            switch (left, right) {
            case (.needMore, .needMore): return true
            case (.complete(let s1, let h1, let b1), .complete(let s2, let h2, let b2)):
                return s1 == s2 && b1 == b2 && h1.map(\.0) == h2.map(\.0) && h1.map(\.1) == h2.map(\.1)
            default: return false
            }
        }
    }

    /// Largest header block.
    package static let maximumHeaderBytes = 32 * 1024
    /// Largest body accepted.
    package var maximumBody: Int

    /// A parser accepting bodies up to `maximumBody` bytes.
    package init(maximumBody: Int) { self.maximumBody = maximumBody }

    /// Parses `bytes`; `atEnd` says the peer has closed the connection.
    package func parse(_ bytes: [UInt8], atEnd: Bool) throws -> Outcome {
        guard let headerEnd = Self.find([13, 10, 13, 10], in: bytes[...]) else {
            if bytes.count > Self.maximumHeaderBytes { throw TransportError(.httpMalformed, "header block too large") }
            if atEnd { throw TransportError(.httpMalformed, "the response ends inside its headers") }
            return .needMore
        }
        guard headerEnd <= Self.maximumHeaderBytes else { throw TransportError(.httpMalformed, "header block too large") }
        let lines = String(decoding: bytes[..<headerEnd], as: UTF8.self).split(
            separator: "\r\n", omittingEmptySubsequences: false)
        let statusFields = lines[0].split(separator: " ", maxSplits: 2)
        guard statusFields.count >= 2, statusFields[0].hasPrefix("HTTP/1."), let status = Int(statusFields[1]),
            (100...999).contains(status)
        else { throw TransportError(.httpMalformed, "not an HTTP/1.x status line") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw TransportError(.httpMalformed, "malformed header line")
            }
            headers.append(
                (line[..<colon].lowercased(), String(line[line.index(after: colon)...]).trimmingHTTPWhitespace()))
        }
        let body = bytes[(headerEnd + 4)...]
        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
        if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            guard let decoded = try decodeChunked(body) else {
                if atEnd { throw TransportError(.httpMalformed, "the chunked body is truncated") }
                return .needMore
            }
            return .complete(status: status, headers: headers, body: decoded)
        }
        if let lengthText = header("content-length") {
            guard let length = Int(lengthText), length >= 0 else {
                throw TransportError(.httpMalformed, "bad Content-Length")
            }
            guard length <= maximumBody else {
                throw TransportError(.responseTooLarge, "a body of \(length) bytes exceeds \(maximumBody)")
            }
            if body.count >= length {
                return .complete(status: status, headers: headers, body: Array(body.prefix(length)))
            }
            if atEnd { throw TransportError(.httpMalformed, "the body is truncated (\(body.count) of \(length) bytes)") }
            return .needMore
        }
        guard body.count <= maximumBody else {
            throw TransportError(.responseTooLarge, "the body exceeds \(maximumBody) bytes")
        }
        return atEnd ? .complete(status: status, headers: headers, body: Array(body)) : .needMore
    }

    /// The decoded body, or nil when more bytes are needed.
    private func decodeChunked(_ input: ArraySlice<UInt8>) throws -> [UInt8]? {
        var output: [UInt8] = []
        var position = input.startIndex
        while true {
            guard let lineEnd = Self.find([13, 10], in: input[position...]) else {
                if input.endIndex - position > 1024 { throw TransportError(.httpMalformed, "bad chunk size line") }
                return nil
            }
            let sizeText = String(decoding: input[position..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(String(sizeText).trimmingHTTPWhitespace(), radix: 16), size >= 0 else {
                throw TransportError(.httpMalformed, "bad chunk size")
            }
            guard output.count + size <= maximumBody else {
                throw TransportError(.responseTooLarge, "the body exceeds \(maximumBody) bytes")
            }
            let dataStart = lineEnd + 2
            if size == 0 { return output }  // trailers are ignored
            guard input.endIndex - dataStart >= size + 2 else { return nil }
            output += input[dataStart..<(dataStart + size)]
            position = dataStart + size + 2
        }
    }

    /// The index of the first occurrence of `pattern` in `bytes`.
    package static func find(_ pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var index = bytes.startIndex
        let last = bytes.endIndex - pattern.count
        while index <= last {
            if bytes[index] == pattern[0], bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs (RFC 9110 §5.6.3 OWS).
    fileprivate func trimmingHTTPWhitespace() -> String {
        let isOWS: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isOWS).reversed().drop(while: isOWS).reversed())
    }
}
