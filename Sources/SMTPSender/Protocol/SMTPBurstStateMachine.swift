/// Several mail transactions on one open session, pipelined across transactions, with no I/O:
/// events go in (a write finished, a reply arrived), actions come out (write this, read a reply).
///
/// RFC 2920 §3.1 lets MAIL and RCPT follow anything in a group, and lets the message data of a
/// transaction open the next group. So the next transaction's MAIL, RCPT… and DATA go in the
/// same write as the end of the previous message, and a burst waits one round trip per message
/// (for the 354) instead of two. When the server also offers CHUNKING (RFC 3030), a message
/// goes as `BDAT n LAST` right behind its RCPTs, nothing waits for a 354, and up to
/// ``Configuration/maximumTransactionsInFlight`` transactions are on the wire at once:
///
/// ```
/// C: MAIL FROM:<a@example.com>  RCPT TO:<b@example.org>  BDAT 10240 LAST  <10240 octets>
/// C: RSET  MAIL FROM:<a@example.com>  RCPT TO:<c@example.org>  BDAT 9870 LAST  <9870 octets>
/// S: 250 2.1.0 Ok  250 2.1.5 Ok  250 2.0.0 Ok: queued as 1A2B
/// S: 250 2.0.0 Ok  250 2.1.0 Ok  250 2.1.5 Ok  250 2.0.0 Ok: queued as 1A2C
/// ```
///
/// Results stay exact per message and per recipient: replies are matched to their commands in
/// order (RFC 2920 §3.1 requires the client to check every one). A refused transaction does not
/// disturb the others:
/// - after a failed BDAT the server's state is indeterminate until RSET (RFC 3030 §2), and when
///   the next transaction is written before the previous one's outcome is known, that cannot
///   be ruled out, so it starts with RSET (allowed anywhere in a group, RFC 2920 §3.1);
/// - DATA refused (no sender or no recipient accepted) leaves a transaction that RSET clears
///   (RFC 5321 §4.1.1.5) before the next MAIL;
/// - a refusal after the data needs nothing: the end of the data clears the server's buffers
///   whatever the reply (RFC 5321 §4.1.1.4).
///
/// A message refused before sending (SIZE, SMTPUTF8, 8BITMIME, as in
/// ``SMTPStateMachine/beginTransaction(envelope:messageSize:has8BitData:)``) is never written.
/// The burst ends with the session clean: when the last transaction failed, one RSET follows.
///
/// Use it only when the server offers PIPELINING; calling an event out of turn is a bug in the
/// caller and stops with a precondition failure.
public struct SMTPBurstStateMachine: Sendable {
    /// One message of the burst, as the machine needs to know it.
    public struct Message: Sendable, Hashable {
        /// The MAIL FROM and RCPT TO addresses.
        public var envelope: SMTPEnvelope
        /// The message's size in octets as given (for `SIZE=` and the number of BDAT chunks).
        public var size: Int
        /// Whether any byte of the message is above 127.
        public var has8BitData: Bool

        /// A message description.
        public init(envelope: SMTPEnvelope, size: Int, has8BitData: Bool) {
            self.envelope = envelope
            self.size = size
            self.has8BitData = has8BitData
        }
    }

    /// Bounds of a burst.
    public struct Configuration: Sendable, Hashable {
        /// How many message octets (before encoding) go in one BDAT chunk; a bigger message
        /// goes as several, so memory stays bounded by one chunk.
        public var chunkSize: Int
        /// The most transactions written whose outcome is not known yet (BDAT only; with
        /// DATA the 354 paces the burst). The bound keeps the server's pending replies far
        /// below any socket buffer, so neither side blocks writing while the other does
        /// (RFC 2920 §3.5 on deadlock).
        public var maximumTransactionsInFlight: Int
        /// The most replies awaited at once, for the same reason, whatever the recipient count;
        /// one transaction is always allowed, however many replies it needs.
        public var maximumRepliesInFlight: Int

        /// A configuration; values below 1 count as 1.
        public init(chunkSize: Int = 1 << 20, maximumTransactionsInFlight: Int = 64, maximumRepliesInFlight: Int = 512)
        {
            self.chunkSize = max(1, chunkSize)
            self.maximumTransactionsInFlight = max(1, maximumTransactionsInFlight)
            self.maximumRepliesInFlight = max(1, maximumRepliesInFlight)
        }
    }

    /// What goes in front of a write's commands.
    public enum Content: Sendable, Hashable {
        /// Nothing.
        case none
        /// This message's data, line ends made CRLF and dot-stuffed, then `.` CRLF (RFC 5321
        /// §4.1.1.4): the answer to its 354.
        case message(Int)
        /// Only the `.` line: a 354 came although nothing can be delivered (possible with
        /// pipelining, RFC 2920 §3.1), so the data phase is ended empty.
        case terminatorOnly(Int)
    }

    /// One write: the content, then the commands, then a message as BDAT chunks; as few
    /// `send` calls as the chunk size allows (one for a message up to a chunk).
    public struct Write: Sendable, Hashable {
        /// First: the end of a DATA transaction.
        public var content: Content
        /// Then these commands.
        public var commands: [SMTPCommand]
        /// Last: this message as BDAT chunks of ``Configuration/chunkSize`` octets before
        /// encoding, each `BDAT <octets after encoding>` followed by its octets, the last one
        /// with `LAST` (RFC 3030 §2); line ends made CRLF, nothing stuffed.
        public var chunkedMessage: Int?
    }

    /// What the caller does next.
    public enum Action: Sendable, Hashable {
        /// Perform the write, then call ``written()``.
        case write(Write)
        /// Read the next reply and pass it to ``replyReceived(_:)``.
        case wait
        /// Every message has its outcome in ``results``; the session is idle and clean.
        case finished
        /// The session cannot go on (the error says why): close the connection. Every
        /// message has its outcome in ``results``.
        case sessionFailed(SMTPError)
    }

    /// One expected reply, in the order the commands were written.
    private enum Expected: Sendable {
        /// RSET before a MAIL, or (`final`) the one that leaves the session clean at the end.
        case reset(final: Bool)
        case mail(Int)
        case recipient(Int)
        case data(Int)
        case chunk(Int, last: Bool)
        case endOfData(Int)
    }

    private struct Transaction: Sendable {
        var replies: SMTPTransactionReplies
        var parameters: [SMTPParameter]
        var chunkReplies: [SMTPReply] = []
        /// A 354 arrived though nothing can be delivered: the reason to report.
        var abortReason: SMTPError?
        /// Whether the message's end (the final dot, or the LAST chunk) has been written.
        var endWritten = false
    }

    /// The configuration given at creation.
    public let configuration: Configuration
    /// Whether messages go as BDAT (the server offers CHUNKING) rather than DATA.
    public let usesChunking: Bool
    /// Each message's outcome once known, in the order given.
    public private(set) var results: [Result<SMTPSendResult, SMTPError>?]

    private let messages: [Message]
    private var transactions: [Int: Transaction] = [:]
    private var expected: [Expected] = []
    private var expectedHead = 0
    private var nextToWrite = 0
    private var inFlight = 0
    /// A write was returned and ``written()`` has not come yet.
    private var writing = false
    /// The transactions whose end (final dot or LAST chunk) the current write carries.
    private var endsInWrite: [Int] = []
    private var pendingContent = Content.none
    /// DATA mode: the transaction whose reply to DATA is awaited; nothing else may be written.
    private var awaitingDataReply: Int?
    /// Whether the server may hold an open or indeterminate transaction after everything
    /// written so far, so that the next MAIL must follow an RSET.
    private var resetNeeded = false
    /// The last transaction written, and whether its outcome has left the session clean.
    private var lastWritten: Int?
    private var ended = false

    /// A burst of `messages` on a session whose EHLO offered `capabilities` (with PIPELINING).
    public init(messages: [Message], capabilities: SMTPCapabilities, configuration: Configuration = Configuration()) {
        self.messages = messages
        self.configuration = configuration
        self.usesChunking = capabilities.supportsChunking
        self.results = Array(repeating: nil, count: messages.count)
        for (index, message) in messages.enumerated() {
            switch capabilities.mailParameters(
                for: message.envelope, messageSize: message.size, has8BitData: message.has8BitData)
            {
            case .success(let parameters):
                transactions[index] = Transaction(
                    replies: SMTPTransactionReplies(envelope: message.envelope), parameters: parameters)
            case .failure(let error):
                results[index] = .failure(error)
            }
        }
    }

    /// How many BDAT chunks a message of `size` octets takes with `chunkSize`: at least one
    /// (`BDAT 0 LAST` for an empty message).
    public static func chunkCount(size: Int, chunkSize: Int) -> Int {
        max(1, (size + chunkSize - 1) / chunkSize)
    }

    // MARK: Events

    /// The first action.
    public mutating func start() -> Action {
        precondition(!writing && nextToWrite == 0 && expected.isEmpty, "start() called twice")
        return advance()
    }

    /// The last write has been performed.
    public mutating func written() -> Action {
        precondition(writing, "written() without a write")
        writing = false
        for index in endsInWrite { transactions[index]?.endWritten = true }
        endsInWrite.removeAll()
        return advance()
    }

    /// A complete reply arrived.
    public mutating func replyReceived(_ reply: SMTPReply) -> Action {
        precondition(!ended, "replyReceived() after the burst ended")
        guard expectedHead < expected.count else {
            return fail(
                SMTPError(.malformedReply, reply: reply, detail: "the server sent a reply nobody asked for"),
                endWrittenUnknown: true)
        }
        let slot = expected[expectedHead]
        expectedHead += 1
        if expectedHead > 256, expectedHead * 2 > expected.count {
            expected.removeFirst(expectedHead)
            expectedHead = 0
        }
        if reply.code == 421 {
            // RFC 5321 §3.8: the server is closing; nothing after this reply is processed.
            return fail(SMTPError.classify(reply, during: .other), endWrittenUnknown: false)
        }
        switch slot {
        case .reset(let final):
            guard reply.isPositiveCompletion else {
                return fail(
                    SMTPError(.malformedReply, reply: reply, detail: "the server refused RSET"), endWrittenUnknown: true
                )
            }
            if final { resetNeeded = false }
        case .mail(let index):
            transactions[index]?.replies.mailReply = reply
        case .recipient(let index):
            transactions[index]?.replies.recipientReplies.append(reply)
        case .data(let index):
            return dataReplyReceived(reply, index: index)
        case .chunk(let index, let last):
            transactions[index]?.chunkReplies.append(reply)
            if last { chunkedTransactionEnded(index, finalReply: reply) }
        case .endOfData(let index):
            guard let transaction = transactions[index] else { break }
            if let reason = transaction.abortReason {
                resolve(index, .failure(reason))
            } else if reply.isPositiveCompletion {
                resolve(index, .success(transaction.replies.result(finalReply: reply)))
            } else {
                resolve(index, .failure(SMTPError.classify(reply, during: .data)))
            }
        }
        return advance()
    }

    /// The connection failed (a transport error, a timeout): every message without an outcome
    /// gets one. A message whose end was written may have been queued, so it is
    /// ``SMTPError/Code-swift.struct/messageOutcomeUnknown`` (RFC 5321 §4.5.3.2.6); the others
    /// get `error`, since the server cannot have accepted a message whose end it never got.
    public mutating func connectionFailed(_ error: SMTPError) {
        _ = fail(error, endWrittenUnknown: true)
    }

    // MARK: Helpers

    private mutating func dataReplyReceived(_ reply: SMTPReply, index: Int) -> Action {
        awaitingDataReply = nil
        guard var transaction = transactions[index] else { return advance() }
        if reply.code == 354 {
            if transaction.replies.canDeliver {
                pendingContent = .message(index)
            } else {
                transaction.abortReason = transaction.replies.envelopeFailure(dataReply: nil)
                pendingContent = .terminatorOnly(index)
            }
            transactions[index] = transaction
            expected.append(.endOfData(index))
            return advance()
        }
        if reply.isPositiveCompletion || reply.severity == .positiveIntermediate {
            return fail(
                SMTPError(.malformedReply, reply: reply, detail: "DATA was answered with neither 354 nor an error"),
                endWrittenUnknown: true)
        }
        // The transaction may still be open on the server (MAIL accepted): RSET before the next.
        resolve(index, .failure(transaction.replies.envelopeFailure(dataReply: reply)))
        return advance()
    }

    private mutating func chunkedTransactionEnded(_ index: Int, finalReply: SMTPReply) {
        guard let transaction = transactions[index] else { return }
        let replies = transaction.replies
        if !replies.canDeliver {
            resolve(index, .failure(replies.envelopeFailure(dataReply: nil)))
        } else if let refused = transaction.chunkReplies.first(where: { !$0.isPositiveCompletion }) {
            resolve(index, .failure(SMTPError.classify(refused, during: .data)))
        } else {
            resolve(index, .success(replies.result(finalReply: finalReply)))
            // A successful LAST chunk ends the transaction: if nothing was written after it,
            // the next MAIL needs no RSET.
            if lastWritten == index { resetNeeded = false }
        }
    }

    private mutating func resolve(_ index: Int, _ result: Result<SMTPSendResult, SMTPError>) {
        results[index] = result
        transactions[index] = nil
        inFlight -= 1
    }

    /// Decides the next action from the state: a write if one is due, else a read, else the end.
    private mutating func advance() -> Action {
        if ended { return .finished }
        var write = Write(content: pendingContent, commands: [], chunkedMessage: nil)
        switch pendingContent {
        case .none: break
        case .message(let index), .terminatorOnly(let index):
            endsInWrite.append(index)
            // The end of the data clears the server's transaction whatever it replies
            // (RFC 5321 §4.1.1.4).
            resetNeeded = false
        }
        pendingContent = .none
        if awaitingDataReply == nil, let index = nextTransactionToWrite() {
            if resetNeeded {
                write.commands.append(.rset)
                expected.append(.reset(final: false))
            }
            guard let transaction = transactions[index] else { preconditionFailure("no transaction \(index)") }
            let envelope = transaction.replies.envelope
            write.commands.append(.mailFrom(envelope.sender, parameters: transaction.parameters))
            expected.append(.mail(index))
            for recipient in envelope.recipients {
                write.commands.append(.rcptTo(recipient, parameters: []))
                expected.append(.recipient(index))
            }
            if usesChunking {
                let chunks = Self.chunkCount(size: messages[index].size, chunkSize: configuration.chunkSize)
                for chunk in 0..<chunks { expected.append(.chunk(index, last: chunk == chunks - 1)) }
                write.chunkedMessage = index
                endsInWrite.append(index)
            } else {
                write.commands.append(.data)
                expected.append(.data(index))
                awaitingDataReply = index
            }
            inFlight += 1
            lastWritten = index
            resetNeeded = true
        }
        if write.content != .none || !write.commands.isEmpty {
            writing = true
            return .write(write)
        }
        if expectedHead < expected.count { return .wait }
        if resetNeeded {
            // The last transaction failed: leave the session clean for whatever comes next.
            writing = true
            expected.append(.reset(final: true))
            return .write(Write(content: .none, commands: [.rset], chunkedMessage: nil))
        }
        ended = true
        return .finished
    }

    /// The next message to write, when the window allows one; messages refused before
    /// sending are skipped.
    private mutating func nextTransactionToWrite() -> Int? {
        while nextToWrite < messages.count, transactions[nextToWrite] == nil { nextToWrite += 1 }
        guard nextToWrite < messages.count else { return nil }
        // With DATA, the wait for each 354 paces the burst (the caller checks it); with BDAT,
        // the window does.
        if inFlight > 0, usesChunking {
            guard inFlight < configuration.maximumTransactionsInFlight else { return nil }
            let envelope = messages[nextToWrite].envelope
            let replies =
                2 + envelope.recipients.count
                + Self.chunkCount(size: messages[nextToWrite].size, chunkSize: configuration.chunkSize)
            guard expected.count - expectedHead + replies <= configuration.maximumRepliesInFlight else { return nil }
        }
        defer { nextToWrite += 1 }
        return nextToWrite
    }

    private mutating func fail(_ error: SMTPError, endWrittenUnknown: Bool) -> Action {
        for index in results.indices where results[index] == nil {
            if endWrittenUnknown, transactions[index]?.endWritten == true {
                results[index] = .failure(
                    SMTPError(
                        .messageOutcomeUnknown,
                        detail:
                            "no reply after the end of the message: the server may already hold it, and sending it again may deliver it twice (RFC 5321 §4.5.3.2.6)",
                        underlying: error.description))
            } else {
                results[index] = .failure(error)
            }
        }
        transactions = [:]
        ended = true
        return .sessionFailed(error)
    }
}
