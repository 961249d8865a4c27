/// The LMTP client's protocol logic with no I/O (RFC 2033, with RFC 2920 PIPELINING and
/// RFC 3207 STARTTLS): replies go in, actions come out.
///
/// LMTP is SMTP for the last hop into a mailbox, with two differences that matter here: the
/// session opens with `LHLO` (§4.1), and after the final dot the server answers once for every
/// recipient it accepted, in `RCPT` order (§4.2), each reply the server's word on that mailbox
/// alone. So the machine counts the accepted recipients and waits for exactly that many replies.
///
/// ```swift
/// var machine = LMTPStateMachine()
/// machine.replyReceived(SMTPReply(code: 220))           // .send([.lhlo("localhost")])
/// machine.replyReceived(lhloReply)                      // .sessionReady(capabilities)
/// machine.beginTransaction(sender: nil, recipients: [judy, ivan])
///                                                       // .send([MAIL, RCPT, RCPT, DATA]) with PIPELINING
/// // … 250, 250, 250, 354 …                             // .sendMessage
/// machine.messageSent()                                 // .wait
/// machine.replyReceived(SMTPReply(code: 250))           // .wait: one more recipient to hear about
/// machine.replyReceived(SMTPReply(code: 452))           // .delivered(result): judy has it, ivan not
/// ```
///
/// A server's misbehaviour becomes `.sessionFailed`; an event in a state where it makes no
/// sense is a bug in the caller and stops with a precondition failure.
public struct LMTPStateMachine: Sendable {
    /// What the session needs to know before the greeting.
    public struct Configuration: Sendable, Hashable {
        /// The name sent with LHLO (RFC 2033 §4.1 takes the EHLO syntax, RFC 5321 §4.1.1.1).
        public var clientHostname: String
        /// Whether the connection is plaintext now and must be upgraded with STARTTLS before any
        /// mail crosses it; when the server does not offer STARTTLS the session fails.
        public var requiresStartTLS: Bool

        /// A configuration.
        public init(clientHostname: String = "localhost", requiresStartTLS: Bool = false) {
            self.clientHostname = clientHostname
            self.requiresStartTLS = requiresStartTLS
        }
    }

    /// What the caller does next.
    public enum Action: Sendable, Hashable {
        /// Read the next reply and pass it to ``replyReceived(_:)``.
        case wait
        /// Write these commands in one write (a pipelined group when there are several), then read.
        case send([LMTPCommand])
        /// Check that no bytes arrived after the STARTTLS reply, run the handshake, then call
        /// ``tlsEstablished()``.
        case startTLSHandshake
        /// The session is open and idle; these are the server's extensions.
        case sessionReady(SMTPCapabilities)
        /// The server said 354: write the dot-stuffed message and its terminator, then call
        /// ``messageSent()``.
        case sendMessage
        /// The server answered for every accepted recipient; the session is idle again.
        case delivered(LMTPDeliveryResult)
        /// Nothing was delivered (the sender, every recipient or DATA was refused); the session
        /// is idle again and can take the next message.
        case transactionFailed(SMTPError)
        /// The session cannot go on: close the connection.
        case sessionFailed(SMTPError)
        /// The server answered QUIT: close the connection.
        case closeConnection
    }

    /// One message on its way: the replies gathered so far.
    private struct Transaction: Sendable {
        var sender: SMTPPath?
        var recipients: [SMTPPath]
        var pipelined: Bool
        var mailReply: SMTPReply?
        var recipientReplies: [SMTPReply] = []
        var deliveryReplies: [SMTPReply] = []

        var acceptedCount: Int { recipientReplies.filter(\.isPositiveCompletion).count }

        /// Why nothing can be delivered, from the envelope's replies (or DATA's refusal).
        func failure(dataReply: SMTPReply?) -> SMTPError {
            if let mailReply, !mailReply.isPositiveCompletion {
                return SMTPError.classify(mailReply, during: .mail, address: sender?.address)
            }
            if acceptedCount == 0, let index = recipientReplies.firstIndex(where: { !$0.isPositiveCompletion }) {
                var error = SMTPError.classify(
                    recipientReplies[index], during: .recipient, address: recipients[index].address)
                if recipients.count > 1 { error.detail = "the server refused every recipient" }
                return error
            }
            if let dataReply { return SMTPError.classify(dataReply, during: .data) }
            return SMTPError(.malformedReply, detail: "the transaction ended without a reason")
        }

        /// The outcome per recipient: replies after the dot go to the accepted ones, in order.
        var result: LMTPDeliveryResult {
            var answers = deliveryReplies[...]
            return LMTPDeliveryResult(
                recipients: zip(recipients, recipientReplies).map { recipient, reply in
                    LMTPDeliveryResult.RecipientOutcome(
                        recipient: recipient, recipientReply: reply,
                        dataReply: reply.isPositiveCompletion ? answers.popFirst() : nil)
                })
        }
    }

    private enum State: Sendable {
        case greeting
        case lhlo
        case startTLS
        case handshake
        case ready
        case mail(Transaction)
        case recipients(Transaction)
        case dataCommand(Transaction)
        case message(Transaction)
        case deliveryReplies(Transaction)
        case reset(SMTPError?)
        case quitting
        case closed
    }

    /// The configuration given at creation.
    public let configuration: Configuration
    /// The extensions from the latest LHLO reply (empty before it).
    public private(set) var capabilities = SMTPCapabilities()
    private var state = State.greeting
    private var upgraded = false

    /// A machine waiting for the server's greeting.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether the session is open and idle.
    public var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    /// Whether the session has ended (QUIT answered, or a failure).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// Whether the message of a transaction is being written (between `.sendMessage` and
    /// ``messageSent()``).
    public var isSendingMessage: Bool {
        if case .message = state { return true }
        return false
    }

    // MARK: Events

    /// A complete reply arrived.
    public mutating func replyReceived(_ reply: SMTPReply) -> Action {
        switch state {
        case .quitting:
            state = .closed
            return .closeConnection
        case .deliveryReplies(var transaction):
            // A per-recipient reply may be anything, 421 included (RFC 2033 §4.2); it is that
            // recipient's outcome.
            transaction.deliveryReplies.append(reply)
            guard transaction.deliveryReplies.count == transaction.acceptedCount else {
                state = .deliveryReplies(transaction)
                return .wait
            }
            state = .ready
            return .delivered(transaction.result)
        default:
            break
        }
        if reply.code == 421 { return fail(SMTPError.classify(reply, during: .other)) }
        switch state {
        case .greeting:
            guard reply.code == 220 else { return fail(SMTPError.classify(reply, during: .greeting)) }
            state = .lhlo
            return .send([.lhlo(configuration.clientHostname)])
        case .lhlo:
            return lhloAnswered(reply)
        case .startTLS:
            guard reply.code == 220 else { return fail(SMTPError.classify(reply, during: .startTLS)) }
            state = .handshake
            return .startTLSHandshake
        case .mail(var transaction):
            transaction.mailReply = reply
            if transaction.pipelined {
                state = .recipients(transaction)
                return .wait
            }
            guard reply.isPositiveCompletion else {
                state = .ready
                return .transactionFailed(transaction.failure(dataReply: nil))
            }
            state = .recipients(transaction)
            return .send([.smtp(.rcptTo(transaction.recipients[0], parameters: []))])
        case .recipients(var transaction):
            return recipientAnswered(reply, transaction: &transaction)
        case .dataCommand(let transaction):
            return dataAnswered(reply, transaction: transaction)
        case .reset(let error):
            guard reply.isPositiveCompletion else {
                return fail(error ?? SMTPError.classify(reply, during: .other))
            }
            state = .ready
            return error.map { .transactionFailed($0) } ?? .sessionReady(capabilities)
        case .ready, .handshake, .message, .closed:
            return fail(
                SMTPError(.malformedReply, reply: reply, detail: "the server replied when no command was waiting"))
        case .quitting, .deliveryReplies:
            preconditionFailure("handled above")
        }
    }

    /// The TLS handshake after STARTTLS succeeded: LHLO again (RFC 3207 §4.2: forget what was learnt).
    public mutating func tlsEstablished() -> Action {
        guard case .handshake = state else { preconditionFailure("tlsEstablished() without a STARTTLS handshake") }
        upgraded = true
        capabilities = SMTPCapabilities()
        state = .lhlo
        return .send([.lhlo(configuration.clientHostname)])
    }

    /// Starts a message to `recipients` (at least one, no duplicates): with PIPELINING, MAIL,
    /// every RCPT and DATA go in one write (RFC 2920 §3.1); otherwise one command at a time.
    ///
    /// - Parameters:
    ///   - sender: the reverse path, nil for `<>` (RFC 5321 §4.5.5).
    ///   - messageSize: announced with `SIZE=` when the server offers SIZE (RFC 1870), so a full
    ///     mailbox can refuse before the upload; nil when unknown (a message still arriving).
    ///   - has8BitData: adds `BODY=8BITMIME` when the server offers it (RFC 6152).
    public mutating func beginTransaction(
        sender: SMTPPath?, recipients: [SMTPPath], messageSize: Int? = nil, has8BitData: Bool = false
    ) -> Action {
        guard case .ready = state else { preconditionFailure("beginTransaction(…) while the session is not idle") }
        precondition(!recipients.isEmpty, "a transaction needs a recipient")
        var parameters: [SMTPParameter] = []
        if let messageSize, capabilities.supportsSize { parameters.append(.size(messageSize)) }
        if has8BitData, capabilities.supports8BitMIME { parameters.append(.body8BitMIME) }
        let transaction = Transaction(
            sender: sender, recipients: recipients, pipelined: capabilities.supportsPipelining)
        state = .mail(transaction)
        let mail = LMTPCommand.smtp(.mailFrom(sender, parameters: parameters))
        guard transaction.pipelined else { return .send([mail]) }
        return .send([mail] + recipients.map { .smtp(.rcptTo($0, parameters: [])) } + [.smtp(.data)])
    }

    /// The message and its terminating dot are written: wait for one reply per accepted recipient.
    public mutating func messageSent() -> Action {
        guard case .message(let transaction) = state else { preconditionFailure("messageSent() outside a message") }
        state = .deliveryReplies(transaction)
        return .wait
    }

    /// `RSET` from an idle session (RFC 5321 §4.1.1.5), answered with `.sessionReady`.
    public mutating func reset() -> Action {
        guard case .ready = state else { preconditionFailure("reset() while the session is not idle") }
        state = .reset(nil)
        return .send([.smtp(.rset)])
    }

    /// `QUIT`; from a closed session, `.closeConnection` at once.
    public mutating func quit() -> Action {
        if case .closed = state { return .closeConnection }
        state = .quitting
        return .send([.smtp(.quit)])
    }

    /// The connection failed underneath; the session is over.
    public mutating func connectionFailed() {
        state = .closed
    }

    // MARK: Replies by state

    private mutating func lhloAnswered(_ reply: SMTPReply) -> Action {
        guard reply.isPositiveCompletion else {
            var error = SMTPError.classify(reply, during: .greeting)
            error.detail = "the server refused LHLO: is this an LMTP service (RFC 2033)?"
            return fail(error)
        }
        capabilities = SMTPCapabilities(ehloReply: reply)
        if configuration.requiresStartTLS, !upgraded {
            guard capabilities.supportsStartTLS else {
                return fail(
                    SMTPError(.startTLSNotOffered, reply: reply, detail: "the LMTP server does not offer STARTTLS"))
            }
            state = .startTLS
            return .send([.smtp(.startTLS)])
        }
        state = .ready
        return .sessionReady(capabilities)
    }

    private mutating func recipientAnswered(_ reply: SMTPReply, transaction: inout Transaction) -> Action {
        transaction.recipientReplies.append(reply)
        let next = transaction.recipientReplies.count
        if transaction.pipelined {
            state = next == transaction.recipients.count ? .dataCommand(transaction) : .recipients(transaction)
            return .wait
        }
        if next < transaction.recipients.count {
            state = .recipients(transaction)
            return .send([.smtp(.rcptTo(transaction.recipients[next], parameters: []))])
        }
        guard transaction.acceptedCount > 0 else { return resetAfter(transaction.failure(dataReply: nil)) }
        state = .dataCommand(transaction)
        return .send([.smtp(.data)])
    }

    private mutating func dataAnswered(_ reply: SMTPReply, transaction: Transaction) -> Action {
        let envelopeAccepted = transaction.mailReply?.isPositiveCompletion == true && transaction.acceptedCount > 0
        guard reply.code == 354 else {
            return resetAfter(transaction.failure(dataReply: envelopeAccepted ? reply : nil))
        }
        guard envelopeAccepted else {
            // RFC 2033 §4.2: DATA must fail when no RCPT succeeded; a 354 leaves nobody to answer for.
            return fail(
                SMTPError(
                    .malformedReply, reply: reply, detail: "the server accepted DATA without an accepted recipient"))
        }
        state = .message(transaction)
        return .sendMessage
    }

    private mutating func resetAfter(_ error: SMTPError) -> Action {
        state = .reset(error)
        return .send([.smtp(.rset)])
    }

    private mutating func fail(_ error: SMTPError) -> Action {
        state = .closed
        return .sessionFailed(error)
    }
}
