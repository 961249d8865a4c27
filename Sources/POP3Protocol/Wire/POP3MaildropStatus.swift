/// The answer to `STAT`: how many messages the maildrop holds and their total size in octets,
/// not counting messages marked deleted (RFC 1939 §5).
///
/// ```
/// C: STAT
/// S: +OK 2 320
/// ```
public struct POP3MaildropStatus: Sendable, Hashable {
    /// The number of messages.
    public var messageCount: Int
    /// The total size in octets (as the server counts them, CRLF line ends).
    public var totalSize: Int

    /// A status from its values.
    public init(messageCount: Int, totalSize: Int) {
        self.messageCount = messageCount
        self.totalSize = totalSize
    }

    /// Parses the text of a `+OK` answer to STAT (`2 320`, anything after is ignored).
    init(parsing text: String) throws(POP3Error) {
        let words = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard words.count >= 2, let count = Int(words[0]), let size = Int(words[1]), count >= 0, size >= 0 else {
            throw POP3Error(.malformedResponse, detail: "STAT answered without a count and a size", serverText: text)
        }
        self.init(messageCount: count, totalSize: size)
    }
}
