/// One line of a `UIDL` answer: a message number and the server's unique id for that message,
/// which stays the same across sessions (RFC 1939 §7). The id is 1 to 70 printable characters.
///
/// ```
/// C: UIDL
/// S: +OK
/// S: 1 whqtswO00WBw418f9t5JxYwZ
/// S: 2 QhdPYR:00WBw1Ph7x7
/// S: .
/// ```
public struct POP3UniqueID: Sendable, Hashable {
    /// The message number (1-based, valid for this session only).
    public var number: Int
    /// The unique id (RFC 1939 §7: 0x21 to 0x7E, up to 70 characters).
    public var uid: String

    /// A UIDL entry from its values.
    public init(number: Int, uid: String) {
        self.number = number
        self.uid = uid
    }

    /// Parses `number uid`.
    init(parsing line: some Collection<UInt8>) throws(POP3Error) {
        guard let (number, rest) = POP3ListingParser.leadingNumber(line), number >= 1 else {
            throw POP3Error(.malformedResponse, detail: "a UIDL line is not `number uid`",
                            serverText: POP3Response.lenientText(line.prefix(120)))
        }
        let uidBytes = rest.prefix { $0 > 0x20 && $0 < 0x7F }
        guard !uidBytes.isEmpty, uidBytes.count <= Self.maximumLength else {
            throw POP3Error(.malformedResponse, detail: "a UIDL id is empty, too long or not printable ASCII",
                            serverText: POP3Response.lenientText(line.prefix(120)))
        }
        self.init(number: number, uid: String(decoding: uidBytes, as: UTF8.self))
    }

    /// RFC 1939 §7 limits a unique id to 70 characters.
    static let maximumLength = 70

    /// Parses every line of a UIDL block.
    static func parseListing(_ block: [UInt8]) throws(POP3Error) -> [POP3UniqueID] {
        var result: [POP3UniqueID] = []
        try POP3ListingParser.forEachLine(block) { line throws(POP3Error) in
            result.append(try POP3UniqueID(parsing: line))
        }
        return result
    }
}
