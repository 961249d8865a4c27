/// Parses an HTTP/1.1 response (RFC 9112) from the bytes received so far.
///
/// Pure and bounded: the header block may be at most 32 KiB, the body at most `maximumBody`
/// bytes; `Content-Length` and `chunked` bodies are supported, otherwise the body runs until
/// the connection closes. Incomplete input asks for more; input that cannot become valid is
/// an error.
struct HTTPResponseParser {
    /// The outcome of one parse attempt.
    enum Outcome: Equatable {
        /// More bytes are needed.
        case needMore
        /// A complete response.
        case complete(status: Int, headers: [(String, String)], body: [UInt8])

        static func == (left: Outcome, right: Outcome) -> Bool {
            switch (left, right) {
            case (.needMore, .needMore): return true
            case (.complete(let s1, let h1, let b1), .complete(let s2, let h2, let b2)):
                return s1 == s2 && b1 == b2 && h1.map(\.0) == h2.map(\.0) && h1.map(\.1) == h2.map(\.1)
            default: return false
            }
        }
    }

    /// Largest header block.
    static let maximumHeaderBytes = 32 * 1024
    /// Largest body accepted.
    var maximumBody: Int

    /// Parses `bytes`; `atEnd` says the peer has closed the connection.
    func parse(_ bytes: [UInt8], atEnd: Bool) throws -> Outcome {
        guard let headerEnd = Self.find([13, 10, 13, 10], in: bytes[...]) else {
            if bytes.count > Self.maximumHeaderBytes { throw DiscoveryError(.httpFailure, "header block too large") }
            if atEnd { throw DiscoveryError(.httpFailure, "the response ends inside its headers") }
            return .needMore
        }
        guard headerEnd <= Self.maximumHeaderBytes else { throw DiscoveryError(.httpFailure, "header block too large") }
        let lines = String(decoding: bytes[..<headerEnd], as: UTF8.self).split(
            separator: "\r\n", omittingEmptySubsequences: false)
        let statusFields = lines[0].split(separator: " ", maxSplits: 2)
        guard statusFields.count >= 2, statusFields[0].hasPrefix("HTTP/1."), let status = Int(statusFields[1]),
            (100...999).contains(status)
        else { throw DiscoveryError(.httpFailure, "not an HTTP/1.x status line") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw DiscoveryError(.httpFailure, "malformed header line")
            }
            headers.append(
                (line[..<colon].lowercased(), String(line[line.index(after: colon)...]).trimmingWhitespace()))
        }
        let body = bytes[(headerEnd + 4)...]
        func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }
        if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            guard let decoded = try decodeChunked(body) else {
                if atEnd { throw DiscoveryError(.httpFailure, "the chunked body is truncated") }
                return .needMore
            }
            return .complete(status: status, headers: headers, body: decoded)
        }
        if let lengthText = header("content-length") {
            guard let length = Int(lengthText), length >= 0 else {
                throw DiscoveryError(.httpFailure, "bad Content-Length")
            }
            guard length <= maximumBody else {
                throw DiscoveryError(.httpTooLarge, "a body of \(length) bytes exceeds \(maximumBody)")
            }
            if body.count >= length {
                return .complete(status: status, headers: headers, body: Array(body.prefix(length)))
            }
            if atEnd { throw DiscoveryError(.httpFailure, "the body is truncated (\(body.count) of \(length) bytes)") }
            return .needMore
        }
        guard body.count <= maximumBody else {
            throw DiscoveryError(.httpTooLarge, "the body exceeds \(maximumBody) bytes")
        }
        return atEnd ? .complete(status: status, headers: headers, body: Array(body)) : .needMore
    }

    /// The decoded body, or nil when more bytes are needed.
    private func decodeChunked(_ input: ArraySlice<UInt8>) throws -> [UInt8]? {
        var output: [UInt8] = []
        var position = input.startIndex
        while true {
            guard let lineEnd = Self.find([13, 10], in: input[position...]) else {
                if input.endIndex - position > 1024 { throw DiscoveryError(.httpFailure, "bad chunk size line") }
                return nil
            }
            let sizeText = String(decoding: input[position..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(String(sizeText).trimmingWhitespace(), radix: 16), size >= 0 else {
                throw DiscoveryError(.httpFailure, "bad chunk size")
            }
            guard output.count + size <= maximumBody else {
                throw DiscoveryError(.httpTooLarge, "the body exceeds \(maximumBody) bytes")
            }
            let dataStart = lineEnd + 2
            if size == 0 { return output }  // trailers are ignored
            guard input.endIndex - dataStart >= size + 2 else { return nil }
            output += input[dataStart..<(dataStart + size)]
            position = dataStart + size + 2
        }
    }

    /// The index of the first occurrence of `pattern` in `bytes`.
    static func find(_ pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
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
