/// A message or one part of it as a MIME tree (RFC 2045, RFC 2046): its header, its raw
/// body, and its sub-parts for `multipart/*` and `message/rfc822`.
///
/// Parsing never copies the message: headers and bodies are slices of the input. It is
/// tolerant of broken mail (a missing closing delimiter ends the last part at the end of the
/// message; a multipart without a usable boundary is kept as a leaf) and bounded by
/// ``ParserLimits``: parts deeper than `maxDepth` are kept as opaque leaves and parts past
/// `maxParts` are dropped, so hostile nesting costs at most `maxDepth` scans of the input.
///
/// ```swift
/// let message = try MIMEPart(parsing: bytes)
/// message.header["Subject"]
/// message.textBody          // the first text/plain part that is not an attachment
/// message.attachments.map(\.filename)
/// ```
public struct MIMEPart: Sendable, Hashable {
    /// The part's header fields.
    public let header: MessageHeader
    /// `Content-Type`, or the default for the context when absent (RFC 2046 §5.1.5:
    /// `message/rfc822` inside `multipart/digest`, else `text/plain`).
    public let contentType: ContentType
    /// `Content-Disposition`, when present.
    public let contentDisposition: ContentDisposition?
    /// `Content-Transfer-Encoding` (default `7bit`).
    public let transferEncoding: ContentTransferEncoding
    /// The body as received, still transfer-encoded.
    public let body: ArraySlice<UInt8>
    /// Sub-parts: the parts of a multipart, or the one message inside `message/rfc822`.
    public let parts: [MIMEPart]

    /// Parses a whole message.
    /// - Throws: ``MessageError`` when a header section breaks a limit.
    public init(parsing bytes: [UInt8], limits: ParserLimits = .default) throws(MessageError) {
        try self.init(parsing: bytes[...], limits: limits)
    }

    /// Parses a message held in a slice.
    public init(parsing bytes: ArraySlice<UInt8>, limits: ParserLimits = .default) throws(MessageError) {
        var budget = limits.maxParts
        self = try MIMEPart.parse(bytes, limits: limits, depth: 0, budget: &budget, inDigest: false)
    }

    init(
        header: MessageHeader,
        contentType: ContentType,
        contentDisposition: ContentDisposition?,
        transferEncoding: ContentTransferEncoding,
        body: ArraySlice<UInt8>,
        parts: [MIMEPart]
    ) {
        self.header = header
        self.contentType = contentType
        self.contentDisposition = contentDisposition
        self.transferEncoding = transferEncoding
        self.body = body
        self.parts = parts
    }

    static func parse(
        _ bytes: ArraySlice<UInt8>,
        limits: ParserLimits,
        depth: Int,
        budget: inout Int,
        inDigest: Bool
    ) throws(MessageError) -> MIMEPart {
        budget -= 1
        let header = try MessageHeader(parsing: bytes, limits: limits)
        let body = bytes[header.bodyOffset...]
        let contentType: ContentType
        if let field = header.field(named: "Content-Type") {
            contentType = ContentType(parsing: field.rawValue)
        } else {
            contentType = inDigest ? ContentType(type: "message", subtype: "rfc822") : .defaultValue
        }
        let disposition = header.field(named: "Content-Disposition").map { ContentDisposition(parsing: $0.rawValue) }
        let encoding = header.field(named: "Content-Transfer-Encoding").map {
            ContentTransferEncoding(parsing: $0.unfoldedValue)
        } ?? .sevenBit
        var parts: [MIMEPart] = []
        if depth < limits.maxDepth, budget > 0 {
            if contentType.isMultipart, let boundary = contentType.boundary, !boundary.isEmpty {
                let digest = contentType.subtype == "digest"
                for range in MIMEPart.partRanges(in: body, boundary: Array(boundary.utf8)) {
                    guard budget > 0 else { break }
                    parts.append(
                        try parse(body[range], limits: limits, depth: depth + 1, budget: &budget, inDigest: digest)
                    )
                }
            } else if contentType.isMessage {
                switch encoding {
                case .base64, .quotedPrintable:
                    let decoded = encoding.decode(body)
                    parts.append(try parse(decoded[...], limits: limits, depth: depth + 1, budget: &budget, inDigest: false))
                default:
                    parts.append(try parse(body, limits: limits, depth: depth + 1, budget: &budget, inDigest: false))
                }
            }
        }
        return MIMEPart(
            header: header,
            contentType: contentType,
            contentDisposition: disposition,
            transferEncoding: encoding,
            body: body,
            parts: parts
        )
    }

    /// The ranges of the body parts between `--boundary` delimiter lines (RFC 2046 §5.1.1).
    ///
    /// A delimiter is a line starting with `--boundary`, followed by `--` (the close
    /// delimiter) or only white space. The line break before a delimiter belongs to it.
    /// Text before the first delimiter (preamble) and after the close delimiter (epilogue) is
    /// not a part. Without a close delimiter the last part runs to the end.
    static func partRanges(in body: ArraySlice<UInt8>, boundary: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var partStart: Int?
        var lineStart = body.startIndex
        let end = body.endIndex
        let delimiterLength = boundary.count + 2
        while lineStart < end {
            var lineEnd = lineStart
            while lineEnd < end, body[lineEnd] != 0x0A { lineEnd += 1 }
            let next = lineEnd < end ? lineEnd + 1 : end
            if lineEnd - lineStart >= delimiterLength, body[lineStart] == 0x2D, body[lineStart + 1] == 0x2D,
                body[(lineStart + 2)..<(lineStart + delimiterLength)].elementsEqual(boundary)
            {
                var index = lineStart + delimiterLength
                var isClose = false
                if index + 1 < lineEnd, body[index] == 0x2D, body[index + 1] == 0x2D {
                    isClose = true
                    index += 2
                }
                var onlySpace = true
                while index < lineEnd {
                    let byte = body[index]
                    if byte != 0x20 && byte != 0x09 && byte != 0x0D {
                        onlySpace = false
                        break
                    }
                    index += 1
                }
                if onlySpace || isClose {
                    if let start = partStart {
                        // The CRLF (or LF) before the delimiter is part of the delimiter.
                        var partEnd = lineStart
                        if partEnd > start, body[partEnd - 1] == 0x0A { partEnd -= 1 }
                        if partEnd > start, body[partEnd - 1] == 0x0D { partEnd -= 1 }
                        ranges.append(start..<max(start, partEnd))
                    }
                    if isClose { return ranges }
                    partStart = next
                }
            }
            lineStart = next
        }
        if let start = partStart, start <= end { ranges.append(start..<end) }
        return ranges
    }
}
