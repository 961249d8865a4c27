/// The header section of a message or MIME part: its fields in order (RFC 5322 §2.2, §3.6).
///
/// Parsing is a single pass over the bytes that only finds field boundaries; values are
/// decoded when read (``HeaderField/value``). The parser accepts what real mail contains:
/// bare LF line ends, an mbox `From ` line, obsolete white space before the colon
/// (RFC 5322 §4.5), and missing blank lines (a line that is not a field starts the body, as
/// Python's `email` package also does). Its work is bounded by ``ParserLimits``.
///
/// ```swift
/// let header = try MessageHeader(parsing: Array("Subject: Hi\r\nTo: a@b.example\r\n\r\nbody".utf8))
/// header["subject"]      // "Hi"
/// header.bodyOffset      // 33
/// ```
public struct MessageHeader: Sendable, Hashable {
    /// The fields in the order they appear, repeated fields included.
    public let fields: [HeaderField]
    /// Index in the parsed bytes where the body starts (after the blank line), or the end.
    public let bodyOffset: Int

    /// Creates a header from fields, e.g. to build one by hand.
    public init(fields: [HeaderField], bodyOffset: Int = 0) {
        self.fields = fields
        self.bodyOffset = bodyOffset
    }

    /// Parses the header section at the start of `bytes` (a whole message is fine: parsing
    /// stops at the blank line).
    /// - Throws: ``MessageError`` with `headerTooLarge`, `tooManyFields` or `lineTooLong`.
    public init(parsing bytes: [UInt8], limits: ParserLimits = .default) throws(MessageError) {
        try self.init(parsing: bytes[...], limits: limits)
    }

    /// Parses the header section at the start of a slice; ``bodyOffset`` is an index of the
    /// slice's base array. Fields share the slice's storage.
    public init(parsing bytes: ArraySlice<UInt8>, limits: ParserLimits = .default) throws(MessageError) {
        (fields, bodyOffset) = try MessageHeader.scan(bytes, limits: limits)
    }

    /// The first field named `name` (case-insensitive), decoded; `nil` when absent.
    public subscript(name: some StringProtocol) -> String? { field(named: name)?.value }

    /// The first field named `name`, ignoring case.
    public func field(named name: some StringProtocol) -> HeaderField? {
        fields.first { $0.hasName(name) }
    }

    /// Every field named `name`, ignoring case, in order.
    public func fields(named name: some StringProtocol) -> [HeaderField] {
        fields.filter { $0.hasName(name) }
    }

    /// The decoded values of every field named `name`, in order (e.g. all `Received` fields).
    public func values(for name: some StringProtocol) -> [String] {
        fields(named: name).map(\.value)
    }

    /// Whether a field named `name` is present.
    public func contains(_ name: some StringProtocol) -> Bool { field(named: name) != nil }

    /// The single pass: finds each field's name and value and where the body begins.
    static func scan(
        _ bytes: ArraySlice<UInt8>,
        limits: ParserLimits
    ) throws(MessageError) -> ([HeaderField], Int) {
        let base = bytes.startIndex
        var fields: [HeaderField] = []
        fields.reserveCapacity(24)
        var bodyIndex = bytes.endIndex
        // The closure returns an error instead of throwing so no generic Result is needed.
        let failure: MessageError? = bytes.withUnsafeBufferPointer { buffer -> MessageError? in
            let count = buffer.count
            var pos = 0
            let lf: UInt8 = 0x0A
            let cr: UInt8 = 0x0D

            /// Index of the next LF at or after `from`, or `count`; fails past the line limit.
            func lineEnd(from: Int) -> Int? {
                var index = from
                let limit = min(count, from + limits.maxLineLength)
                while index < limit {
                    if buffer[index] == lf { return index }
                    index += 1
                }
                return index == count ? count : nil
            }

            // An mbox separator line ("From sender date") is not a field: skip it.
            if count >= 5, buffer[0] == 0x46, buffer[1] == 0x72, buffer[2] == 0x6F, buffer[3] == 0x6D,
                buffer[4] == 0x20
            {
                guard let end = lineEnd(from: 0) else {
                    return (MessageError(.lineTooLong, "a header line exceeds \(limits.maxLineLength) bytes"))
                }
                pos = min(end + 1, count)
            }

            var bodyStart = count
            while pos < count {
                if pos > limits.maxHeaderBytes {
                    return (MessageError(.headerTooLarge, "header exceeds \(limits.maxHeaderBytes) bytes"))
                }
                let first = buffer[pos]
                if first == lf {
                    bodyStart = pos + 1
                    break
                }
                if first == cr {
                    bodyStart = (pos + 1 < count && buffer[pos + 1] == lf) ? pos + 2 : pos + 1
                    break
                }
                if first == 0x20 || first == 0x09 {
                    // Continuation with no field before it (junk): skip the line.
                    guard let end = lineEnd(from: pos) else {
                        return (MessageError(.lineTooLong, "a header line exceeds \(limits.maxLineLength) bytes"))
                    }
                    pos = end + 1
                    continue
                }
                // Field name: printable ASCII up to the colon, obsolete WSP before it allowed.
                let nameStart = pos
                var index = pos
                let nameLimit = min(count, pos + limits.maxLineLength)
                while index < nameLimit {
                    let byte = buffer[index]
                    if byte == 0x3A || byte <= 0x20 || byte >= 0x7F { break }
                    index += 1
                }
                let nameEnd = index
                while index < nameLimit, buffer[index] == 0x20 || buffer[index] == 0x09 { index += 1 }
                guard index < count, buffer[index] == 0x3A, nameEnd > nameStart else {
                    // Not a field: the header ended without a blank line; this line is body.
                    bodyStart = nameStart
                    break
                }
                let valueStart = index + 1
                var valueEnd: Int
                pos = valueStart
                while true {
                    guard let end = lineEnd(from: pos) else {
                        return (MessageError(.lineTooLong, "a header line exceeds \(limits.maxLineLength) bytes"))
                    }
                    valueEnd = end
                    pos = end + 1
                    if pos > limits.maxHeaderBytes {
                        return (MessageError(.headerTooLarge, "header exceeds \(limits.maxHeaderBytes) bytes"))
                    }
                    if pos < count, buffer[pos] == 0x20 || buffer[pos] == 0x09 { continue }
                    break
                }
                if valueEnd > valueStart, valueEnd <= count, buffer[valueEnd - 1] == cr { valueEnd -= 1 }
                if fields.count >= limits.maxFields {
                    return (MessageError(.tooManyFields, "more than \(limits.maxFields) header fields"))
                }
                fields.append(
                    HeaderField(
                        nameBytes: bytes[(base + nameStart)..<(base + nameEnd)],
                        rawValue: bytes[(base + valueStart)..<(base + min(valueEnd, count))]
                    )
                )
            }
            bodyIndex = base + min(bodyStart, count)
            return nil
        }
        if let failure { throw failure }
        return (fields, bodyIndex)
    }
}
