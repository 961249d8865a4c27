/// One line of a `LIST` answer: a message number and its size in octets (RFC 1939 §5).
///
/// ```
/// C: LIST
/// S: +OK 2 messages (320 octets)
/// S: 1 120
/// S: 2 200
/// S: .
/// ```
public struct POP3MessageSize: Sendable, Hashable {
    /// The message number (1-based, valid for this session only).
    public var number: Int
    /// The size in octets.
    public var size: Int

    /// A listing entry from its values.
    public init(number: Int, size: Int) {
        self.number = number
        self.size = size
    }

    /// Parses `number size` (the text of `LIST n`'s answer or one line of `LIST`).
    init(parsing line: some Collection<UInt8>) throws(POP3Error) {
        guard let (number, rest) = POP3ListingParser.leadingNumber(line),
            let (size, _) = POP3ListingParser.leadingNumber(rest), number >= 1
        else {
            throw POP3Error(.malformedResponse, detail: "a LIST line is not `number size`",
                            serverText: POP3Response.lenientText(line.prefix(120)))
        }
        self.init(number: number, size: size)
    }

    /// Parses every line of a LIST block.
    static func parseListing(_ block: [UInt8]) throws(POP3Error) -> [POP3MessageSize] {
        var result: [POP3MessageSize] = []
        try POP3ListingParser.forEachLine(block) { line throws(POP3Error) in
            result.append(try POP3MessageSize(parsing: line))
        }
        return result
    }
}
