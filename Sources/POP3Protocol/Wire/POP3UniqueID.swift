/// One line of a `UIDL` answer: a message number and the server's unique id for that message,
/// which stays the same across sessions (RFC 1939 §7).
///
/// ```
/// C: UIDL
/// S: +OK
/// S: 1 whqtswO00WBw418f9t5JxYwZ
/// S: 2 QhdPYR:00WBw1Ph7x7
/// S: .
/// ```
///
/// RFC 1939 §7 allows 1 to 70 characters from 0x21 to 0x7E. Servers break that rule (a space
/// inside, a control character, 8-bit text), so the id is kept exactly as sent: every byte after
/// the separator up to the end of the line. Nothing is cut off, so two different ids can never
/// become one; ``defect`` says when an id breaks the rule, and ``POP3UniqueIDAudit`` tells a sync
/// which messages it can key by their id and which need another key (a content fingerprint).
public struct POP3UniqueID: Sendable, Hashable {
    /// How an id breaks RFC 1939 §7's rule (1 to 70 bytes from 0x21 to 0x7E).
    public enum Defect: Sendable, Hashable {
        /// No id after the message number.
        case empty
        /// More than 70 bytes.
        case tooLong(length: Int)
        /// A byte outside 0x21…0x7E (a space, a control character, 8-bit text); the first one.
        case forbiddenByte(UInt8, offset: Int)
    }

    /// The message number (1-based, valid for this session only).
    public var number: Int
    /// The unique id byte for byte as the server sent it. Compare ids by these bytes.
    public var bytes: [UInt8]

    /// A UIDL entry from its values.
    public init(number: Int, uid: String) {
        self.init(number: number, bytes: Array(uid.utf8))
    }

    /// A UIDL entry from the id's bytes, as sent.
    public init(number: Int, bytes: [UInt8]) {
        self.number = number
        self.bytes = bytes
    }

    /// The unique id as text. For a conforming id (``defect`` is nil) this is exact ASCII; for
    /// a non-conforming one it is the bytes decoded leniently as UTF-8, so two ids with
    /// different invalid bytes may read the same: key such messages by ``bytes`` or by content.
    public var uid: String {
        get { String(decoding: bytes, as: UTF8.self) }
        set { bytes = Array(newValue.utf8) }
    }

    /// How the id breaks RFC 1939 §7, or nil when it is 1 to 70 bytes from 0x21 to 0x7E.
    public var defect: Defect? { Self.defect(of: bytes) }

    /// Whether the id follows RFC 1939 §7.
    public var isConforming: Bool { defect == nil }

    /// RFC 1939 §7 limits a unique id to 70 characters.
    public static let maximumLength = 70

    /// How `bytes` break RFC 1939 §7's rule for a unique id, or nil.
    public static func defect(of bytes: some Collection<UInt8>) -> Defect? {
        guard !bytes.isEmpty else { return .empty }
        for (offset, byte) in bytes.enumerated() where byte < 0x21 || byte > 0x7E {
            return .forbiddenByte(byte, offset: offset)
        }
        return bytes.count > maximumLength ? .tooLong(length: bytes.count) : nil
    }

    /// Parses `number SP id`: the number, one space (or tab), then every byte up to the end of
    /// the line, kept as sent (the line end itself is already removed).
    /// - Throws: ``POP3Error/Code/malformedResponse`` when the line does not start with a
    ///   message number, or the number is not followed by a separator or the end of the line.
    init(parsing line: some Collection<UInt8>) throws(POP3Error) {
        let bytes = Array(line)
        var index = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
        let digitsStart = index
        var number = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            // Past 18 digits the line is malformed; stop before the value could overflow.
            guard index - digitsStart < POP3ListingParser.maximumDigits else {
                index += 1
                break
            }
            number = number * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let digits = index - digitsStart
        let separated =
            index == bytes.count || bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")
        guard digits > 0, digits <= POP3ListingParser.maximumDigits, number >= 1, separated else {
            throw POP3Error(
                .malformedResponse, detail: "a UIDL line is not `number uid`",
                serverText: POP3Response.lenientText(line.prefix(120)))
        }
        self.init(number: number, bytes: index < bytes.count ? Array(bytes[(index + 1)...]) : [])
    }

    /// Parses every line of a UIDL block.
    static func parseListing(_ block: [UInt8]) throws(POP3Error) -> [POP3UniqueID] {
        var result: [POP3UniqueID] = []
        try POP3ListingParser.forEachLine(block) { line throws(POP3Error) in
            result.append(try POP3UniqueID(parsing: line))
        }
        return result
    }
}
