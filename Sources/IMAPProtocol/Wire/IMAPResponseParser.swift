/// Parses one ``IMAPRawResponse`` into an ``IMAPResponse`` (RFC 9051 §7, §9), with no I/O.
///
/// The grammar is read strictly where it carries data a linker relies on (UIDs, sizes,
/// UIDVALIDITY, flags, literals) and tolerantly elsewhere: unknown untagged responses and
/// FETCH items are skipped value by value, never by trusting a count. Anything that does not
/// parse is ``IMAPError/Code-swift.struct/malformedResponse``.
///
/// ```swift
/// let response = try IMAPResponseParser.parse(IMAPRawResponse(line: Array("* 3 EXISTS".utf8)))
/// // .untagged(.exists(3))
/// ```
public enum IMAPResponseParser {
    /// The most pairs an ID response may carry (RFC 2971 §3.3 allows 30).
    static let maximumIDPairs = 30

    /// Parses `raw`.
    public static func parse(_ raw: IMAPRawResponse) throws(IMAPError) -> IMAPResponse {
        var cursor = try IMAPResponseCursor(raw)
        let response: IMAPResponse
        if cursor.take(UInt8(ascii: "+")) {
            _ = cursor.take(UInt8(ascii: " "))
            response = .continuation(cursor.restOfLine())
        } else if cursor.take(UInt8(ascii: "*")) {
            try cursor.space()
            response = .untagged(try untagged(&cursor))
        } else {
            let tag = try cursor.token("a tag") { IMAPResponseCursor.isAtomChar($0) && $0 != UInt8(ascii: "+") }
            try cursor.space()
            let word = try cursor.keyword()
            guard let status = IMAPStatus(rawValue: word), [.ok, .no, .bad].contains(status) else {
                throw cursor.fail("a tagged response that is not OK, NO or BAD")
            }
            response = .tagged(IMAPTaggedResponse(tag: tag, status: status, text: try responseText(&cursor)))
        }
        guard cursor.isAtEnd() else { throw cursor.fail("unexpected data after the response") }
        return response
    }

    /// `[SP] ["[" code "]" SP] text` (RFC 9051 §7.1), tolerant of a missing text.
    static func responseText(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPResponseText {
        _ = cursor.take(UInt8(ascii: " "))
        var code: IMAPResponseCode?
        if cursor.take(UInt8(ascii: "[")) {
            let name = try cursor.token("a response code") {
                IMAPResponseCursor.isAtomChar($0) && $0 != UInt8(ascii: "[")
            }
            var argument: String?
            if cursor.take(UInt8(ascii: " ")) { argument = try cursor.upTo(UInt8(ascii: "]")) }
            try cursor.expect(UInt8(ascii: "]"))
            _ = cursor.take(UInt8(ascii: " "))
            code = IMAPResponseCode(name: name, argument: argument)
        }
        return IMAPResponseText(code: code, text: cursor.restOfLine())
    }

    static func untagged(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPUntaggedResponse {
        if let byte = cursor.peek(), byte >= 0x30, byte <= 0x39 {
            let number = try cursor.count()
            try cursor.space()
            switch try cursor.keyword() {
            case "EXISTS": return .exists(number)
            case "RECENT": return .recent(number)
            case "EXPUNGE": return .expunge(number)
            case "FETCH":
                try cursor.space()
                return .fetch(sequenceNumber: number, try fetchAttributes(&cursor))
            default: throw cursor.fail("an unknown message data item")
            }
        }
        let word = try cursor.keyword()
        if let status = IMAPStatus(rawValue: word) { return .condition(status, try responseText(&cursor)) }
        switch word {
        case "CAPABILITY":
            return .capability(IMAPCapabilities(try words(&cursor)))
        case "ENABLED":
            return .enabled(try words(&cursor))
        case "FLAGS":
            try cursor.space()
            return .flags(try cursor.flagList())
        case "LIST":
            try cursor.space()
            return .list(try mailbox(&cursor))
        case "STATUS":
            try cursor.space()
            let name = IMAPMailboxName(wireBytes: try cursor.astring())
            try cursor.space()
            return .status(name, try statusValues(&cursor))
        case "SEARCH":
            return try search(&cursor)
        case "ESEARCH":
            return .extendedSearch(try extendedSearch(&cursor))
        case "VANISHED":
            try cursor.space()
            var earlier = false
            if cursor.take(UInt8(ascii: "(")) {
                guard try cursor.keyword() == "EARLIER" else { throw cursor.fail("an unknown VANISHED modifier") }
                try cursor.expect(UInt8(ascii: ")"))
                try cursor.space()
                earlier = true
            }
            return .vanished(earlier: earlier, try uidSet(&cursor))
        case "ID":
            try cursor.space()
            return .id(try idParameters(&cursor))
        default:
            try cursor.skipRest()
            return .other(word)
        }
    }

    /// Space-separated atoms to the end (CAPABILITY, ENABLED).
    static func words(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> [String] {
        var words: [String] = []
        while cursor.take(UInt8(ascii: " ")) {
            if cursor.peek() == nil { break }
            words.append(try cursor.atom())
        }
        return words
    }

    /// `(attributes) SP delimiter SP mailbox [SP extended]` (RFC 9051 §7.3.1).
    static func mailbox(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPMailbox {
        let attributes = try cursor.flagList()
        try cursor.space()
        var delimiter: String?
        if !cursor.takeNil() {
            guard case .bytes(let bytes) = try cursor.string(), bytes.count == 1 else {
                throw cursor.fail("a hierarchy delimiter that is not one character")
            }
            delimiter = String(decoding: bytes, as: UTF8.self)
        }
        try cursor.space()
        let name = IMAPMailboxName(wireBytes: try cursor.astring())
        if cursor.take(UInt8(ascii: " ")) { try cursor.skipValue() }
        return IMAPMailbox(name: name, delimiter: delimiter, attributes: attributes)
    }

    /// `(NAME n NAME n ...)` (RFC 9051 §7.3.2).
    static func statusValues(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPMailboxStatus {
        try cursor.expect(UInt8(ascii: "("))
        var status = IMAPMailboxStatus()
        var first = true
        while !cursor.take(UInt8(ascii: ")")) {
            if !first { try cursor.space() }
            first = false
            let name = try cursor.keyword()
            try cursor.space()
            let value = try cursor.number()
            switch name {
            case "MESSAGES": status.messageCount = try fitting(value, &cursor)
            case "UNSEEN": status.unseenCount = try fitting(value, &cursor)
            case "UIDNEXT": status.uidNext = try fitting32(value, &cursor)
            case "UIDVALIDITY": status.uidValidity = try fitting32(value, &cursor)
            case "HIGHESTMODSEQ": status.highestModSeq = value
            case "SIZE": status.size = value
            default: break
            }
        }
        return status
    }

    static func fitting(_ value: UInt64, _ cursor: inout IMAPResponseCursor) throws(IMAPError) -> Int {
        guard value <= UInt64(Int32.max) * 1024 else { throw cursor.fail("a count out of range") }
        return Int(value)
    }

    static func fitting32(_ value: UInt64, _ cursor: inout IMAPResponseCursor) throws(IMAPError) -> UInt32 {
        guard value <= UInt64(UInt32.max) else { throw cursor.fail("a 32-bit value out of range") }
        return UInt32(value)
    }

    /// `SEARCH *(SP nz-number) [SP "(" "MODSEQ" SP number ")"]` (RFC 3501 §7.2.5, RFC 7162 §3.1.5).
    static func search(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPUntaggedResponse {
        var numbers: [UInt32] = []
        var modSeq: UInt64?
        while cursor.take(UInt8(ascii: " ")) {
            guard let byte = cursor.peek() else { break }
            if byte == UInt8(ascii: "(") {
                cursor.skipByte()
                guard try cursor.keyword() == "MODSEQ" else { throw cursor.fail("an unknown SEARCH modifier") }
                try cursor.space()
                modSeq = try cursor.number()
                try cursor.expect(UInt8(ascii: ")"))
            } else {
                numbers.append(try cursor.nonZero32())
            }
        }
        return .search(numbers, highestModSeq: modSeq)
    }

    /// `ESEARCH [(TAG "x")] [UID] *(SP name SP value)` (RFC 4731 §3.1): the `ALL` set.
    static func extendedSearch(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPUIDSet {
        var all = IMAPUIDSet([])
        while cursor.take(UInt8(ascii: " ")) {
            guard let byte = cursor.peek() else { break }
            if byte == UInt8(ascii: "(") {
                try cursor.skipValue()
                continue
            }
            let name = try cursor.keyword()
            if name == "UID" { continue }
            try cursor.space()
            if name == "ALL" { all = try uidSet(&cursor) } else { try cursor.skipValue() }
        }
        return all
    }

    /// A sequence set of UIDs (no `*`).
    static func uidSet(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPUIDSet {
        let text = try cursor.token("a UID set") {
            ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ",")
        }
        guard let set = IMAPUIDSet(parsing: text) else { throw cursor.fail("a malformed UID set") }
        return set
    }

    /// `NIL` or `(key value ...)` (RFC 2971 §3.2).
    static func idParameters(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> [String: String] {
        if cursor.takeNil() { return [:] }
        try cursor.expect(UInt8(ascii: "("))
        var fields: [String: String] = [:]
        var pairs = 0
        while !cursor.take(UInt8(ascii: ")")) {
            if pairs > 0 { try cursor.space() }
            pairs += 1
            guard pairs <= maximumIDPairs else { throw cursor.fail("an ID response with too many fields") }
            guard case .bytes(let key) = try cursor.string() else {
                throw cursor.fail("an ID field name that is not a string")
            }
            try cursor.space()
            if case .bytes(let value) = try cursor.nstring() {
                fields[String(decoding: key, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
            }
        }
        return fields
    }

    /// `(name value name value ...)` of a FETCH response (RFC 9051 §7.5.2).
    static func fetchAttributes(_ cursor: inout IMAPResponseCursor) throws(IMAPError) -> IMAPFetchAttributes {
        try cursor.expect(UInt8(ascii: "("))
        var attributes = IMAPFetchAttributes()
        var first = true
        while !cursor.take(UInt8(ascii: ")")) {
            if !first { try cursor.space() }
            first = false
            let name = try cursor.token("a FETCH item") {
                IMAPResponseCursor.isAtomChar($0) && $0 != UInt8(ascii: "[") && $0 != UInt8(ascii: "<")
            }.uppercased()
            switch name {
            case "UID":
                try cursor.space()
                attributes.uid = try cursor.nonZero32()
            case "RFC822.SIZE":
                try cursor.space()
                attributes.size = try cursor.count()
            case "FLAGS":
                try cursor.space()
                attributes.flags = try cursor.flagList()
            case "INTERNALDATE":
                try cursor.space()
                guard case .bytes(let date) = try cursor.string() else {
                    throw cursor.fail("an INTERNALDATE that is not a string")
                }
                attributes.internalDate = String(decoding: date, as: UTF8.self)
            case "MODSEQ":
                try cursor.space()
                try cursor.expect(UInt8(ascii: "("))
                attributes.modSeq = try cursor.number()
                try cursor.expect(UInt8(ascii: ")"))
            case "RFC822":
                try cursor.space()
                attributes.body = try cursor.nstring()
            case "BODY", "BINARY", "BODY.PEEK", "BINARY.PEEK":
                guard cursor.take(UInt8(ascii: "[")) else {
                    // BODY without a section is the body structure (RFC 9051 §7.5.2).
                    try cursor.space()
                    try cursor.skipValue()
                    continue
                }
                let section = try cursor.upTo(UInt8(ascii: "]"))
                try cursor.expect(UInt8(ascii: "]"))
                var partial = false
                if cursor.take(UInt8(ascii: "<")) {
                    _ = try cursor.number()
                    try cursor.expect(UInt8(ascii: ">"))
                    partial = true
                }
                try cursor.space()
                let value = try cursor.nstring()
                if section.isEmpty, !partial { attributes.body = value }
            default:
                try cursor.space()
                try cursor.skipValue()
            }
        }
        return attributes
    }
}

extension IMAPResponseCursor {
    /// Consumes one byte already checked with `peek()`.
    mutating func skipByte() { _ = take(peek() ?? 0) }
}
