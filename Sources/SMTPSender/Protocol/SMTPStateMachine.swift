import MailAuth

/// The SMTP client's protocol logic with no I/O (RFC 5321, RFC 3207, RFC 4954, RFC 2920):
/// events go in (a reply arrived, TLS is up, the caller wants to send), actions come out
/// (write these commands, start the TLS handshake, write the message, report a result).
///
/// ```swift
/// var machine = SMTPStateMachine(configuration: .init(requiresStartTLS: true))
/// machine.replyReceived(SMTPReply(code: 220))              // .send([.ehlo("[127.0.0.1]")])
/// machine.replyReceived(ehloReplyWithSTARTTLS)             // .send([.startTLS])
/// machine.replyReceived(SMTPReply(code: 220))              // .startTLSHandshake
/// machine.tlsEstablished()                                 // .send([.ehlo("[127.0.0.1]")])
/// ```
///
/// SASL itself (base64, mechanisms) is MailAuth's `SASLClientSession`, shared with POP3; this
/// machine only frames it: `AUTH`, `334` challenges, response lines, `*`, `235`/`535`.
///
/// A server's misbehaviour becomes a `.sessionFailed` action; calling an event in a state
/// where it makes no sense is a bug in the caller and stops with a precondition failure.
public struct SMTPStateMachine: Sendable {
    /// What the session needs to know before the greeting.
    public struct Configuration: Sendable, Hashable {
        /// The name sent with EHLO/HELO. An address literal is the default because a
        /// submission client rarely has a resolvable name, and RFC 5321 §4.1.4 allows it.
        public var clientHostname: String
        /// Whether the connection is plaintext now and must be upgraded with STARTTLS before
        /// anything else; when the server does not offer STARTTLS the session fails.
        public var requiresStartTLS: Bool

        /// A configuration.
        public init(clientHostname: String = "[127.0.0.1]", requiresStartTLS: Bool = false) {
            self.clientHostname = clientHostname
            self.requiresStartTLS = requiresStartTLS
        }
    }

    /// What the caller does next.
    public enum Action: Sendable, Hashable {
        /// Read the next reply and pass it to ``replyReceived(_:)``.
        case wait
        /// Write these commands in one write (a pipelined group when there are several), then
        /// read replies.
        case send([SMTPCommand])
        /// Check that no bytes arrived after the STARTTLS reply, run the TLS handshake, then call
        /// ``tlsEstablished()``.
        case startTLSHandshake
        /// The session is open; these are the server's extensions. Authenticate or send.
        case sessionReady(SMTPCapabilities)
        /// AUTH: give this challenge text (base64, after `334 `) to the SASL session and pass its
        /// answer to ``challengeAnswered(_:)``, or call ``cancelAuthentication(_:)``.
        case answerChallenge(String)
        /// AUTH succeeded (235).
        case authenticated
        /// The server said 354: write the encoded message and its terminator, then call
        /// ``messageSent()``.
        case sendMessage
        /// The server said 354 although no recipient was accepted (possible with pipelining,
        /// RFC 2920 §3.1): write only the terminating `.` line, then call ``messageSent()``.
        case sendTerminatorOnly
        /// The message was accepted.
        case transactionSucceeded(SMTPSendResult)
        /// The command or transaction failed; the session is still usable.
        case commandFailed(SMTPError)
        /// The session cannot go on: close the connection.
        case sessionFailed(SMTPError)
        /// The server answered QUIT: close the connection.
        case closeConnection
    }

    private struct Transaction: Sendable {
        var replies: SMTPTransactionReplies
        var pipelined: Bool
        /// Set when the data phase was entered only to end it (no accepted recipient).
        var abortReason: SMTPError?
        /// A dry run: MAIL FROM and RCPT TO only, then RSET instead of DATA.
        var dryRun = false

        var envelope: SMTPEnvelope { replies.envelope }
        var mailReply: SMTPReply? {
            get { replies.mailReply }
            set { replies.mailReply = newValue }
        }
        var recipientReplies: [SMTPReply] {
            get { replies.recipientReplies }
            set { replies.recipientReplies = newValue }
        }
        var mailAccepted: Bool { replies.mailAccepted }
        var anyRecipientAccepted: Bool { replies.anyRecipientAccepted }

        func envelopeFailure(dataReply: SMTPReply?) -> SMTPError { replies.envelopeFailure(dataReply: dataReply) }
        func result(finalReply: SMTPReply) -> SMTPSendResult { replies.result(finalReply: finalReply) }
    }

    private enum State: Sendable {
        case awaitingGreeting
        case awaitingEHLOReply(afterTLS: Bool)
        case awaitingHELOReply
        case awaitingStartTLSReply
        case awaitingTLSHandshake
        case ready
        case authenticating(cancelled: SMTPError?)
        case transaction(Transaction)
        case sendingMessage(Transaction)
        case awaitingFinalReply(Transaction)
        case awaitingRSETReply(SMTPError)
        case awaitingDryRunRSETReply(Transaction)
        case awaitingNoopReply
        case awaitingQuitReply
        case closed
    }

    /// The configuration given at creation.
    public let configuration: Configuration
    /// The extensions from the latest EHLO (empty before it, and after STARTTLS until the new EHLO).
    public private(set) var capabilities = SMTPCapabilities()
    /// Whether TLS has been established by STARTTLS in this session.
    public private(set) var upgradedToTLS = false
    private var state = State.awaitingGreeting

    /// A machine waiting for the server's greeting.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Whether the session is open and idle: ready to authenticate or send.
    public var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    /// Whether the session has ended (QUIT answered or a fatal failure).
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    // MARK: Events

    /// A complete reply arrived.
    public mutating func replyReceived(_ reply: SMTPReply) -> Action {
        if reply.code == 421, !isAwaitingQuit {
            return fail(SMTPError.classify(reply, during: .other))
        }
        switch state {
        case .awaitingGreeting:
            guard reply.code == 220 else { return fail(SMTPError.classify(reply, during: .greeting)) }
            state = .awaitingEHLOReply(afterTLS: false)
            return .send([.ehlo(configuration.clientHostname)])

        case .awaitingEHLOReply(let afterTLS):
            return ehloReplyReceived(reply, afterTLS: afterTLS)

        case .awaitingHELOReply:
            guard reply.isPositiveCompletion else { return fail(SMTPError.classify(reply, during: .greeting)) }
            capabilities = SMTPCapabilities(greeting: reply.lines.first ?? "")
            state = .ready
            return .sessionReady(capabilities)

        case .awaitingStartTLSReply:
            guard reply.code == 220 else { return fail(SMTPError.classify(reply, during: .startTLS)) }
            state = .awaitingTLSHandshake
            return .startTLSHandshake

        case .authenticating(let cancelled):
            return authenticationReplyReceived(reply, cancelled: cancelled)

        case .transaction(var transaction):
            return transactionReplyReceived(reply, transaction: &transaction)

        case .awaitingFinalReply(let transaction):
            if let reason = transaction.abortReason { return abortTransaction(reason) }
            guard reply.isPositiveCompletion else { return abortTransaction(SMTPError.classify(reply, during: .data)) }
            state = .ready
            return .transactionSucceeded(transaction.result(finalReply: reply))

        case .awaitingRSETReply(let error):
            guard reply.isPositiveCompletion else { return fail(error) }
            state = .ready
            return .commandFailed(error)

        case .awaitingDryRunRSETReply(let transaction):
            guard reply.isPositiveCompletion else {
                return fail(SMTPError.classify(reply, during: .other))
            }
            state = .ready
            return .transactionSucceeded(transaction.result(finalReply: reply))

        case .awaitingNoopReply:
            state = .ready
            guard reply.isPositiveCompletion else { return .commandFailed(SMTPError.classify(reply, during: .other)) }
            return .sessionReady(capabilities)

        case .awaitingQuitReply:
            state = .closed
            return .closeConnection

        case .awaitingTLSHandshake, .ready, .sendingMessage, .closed:
            return fail(SMTPError(.malformedReply, reply: reply, detail: "the server sent a reply nobody asked for"))
        }
    }

    /// The TLS handshake after STARTTLS succeeded: the session starts over with EHLO
    /// (RFC 3207 §4.2: forget everything learnt before TLS).
    public mutating func tlsEstablished() -> Action {
        guard case .awaitingTLSHandshake = state else {
            preconditionFailure("tlsEstablished() outside a STARTTLS handshake")
        }
        upgradedToTLS = true
        capabilities = SMTPCapabilities()
        state = .awaitingEHLOReply(afterTLS: true)
        return .send([.ehlo(configuration.clientHostname)])
    }

    /// Starts AUTH with the mechanism's name and its initial response, already base64 (`=` when
    /// empty), or nil to let the server's first empty challenge ask for it (RFC 4954 §4).
    public mutating func authenticate(mechanism: String, initialResponse: String?) -> Action {
        guard case .ready = state else { preconditionFailure("authenticate() when the session is not ready") }
        state = .authenticating(cancelled: nil)
        return .send([.auth(mechanism: mechanism, initialResponse: initialResponse)])
    }

    /// The answer to the last challenge, one base64 line (possibly empty).
    public mutating func challengeAnswered(_ line: String) -> Action {
        guard case .authenticating(nil) = state else { preconditionFailure("challengeAnswered() outside AUTH") }
        return .send([.authResponse(line)])
    }

    /// The mechanism could not answer a challenge: cancel with `*` (RFC 4954 §4); the
    /// server's reply then ends AUTH with `error`.
    public mutating func cancelAuthentication(_ error: SMTPError) -> Action {
        guard case .authenticating(nil) = state else { preconditionFailure("cancelAuthentication() outside AUTH") }
        state = .authenticating(cancelled: error)
        return .send([.authResponse(SASLCodec.cancellation)])
    }

    /// Starts a mail transaction. With PIPELINING, MAIL, every RCPT and DATA go in one write
    /// (RFC 2920 §3.1); otherwise one command at a time.
    ///
    /// Refused before anything is sent: a message larger than the server's SIZE (RFC 1870 §4),
    /// non-ASCII addresses without SMTPUTF8 (RFC 6531), 8-bit data without 8BITMIME or
    /// SMTPUTF8 (RFC 6152).
    ///
    /// - Parameters:
    ///   - messageSize: the size of the message as it will be sent, for `SIZE=`.
    ///   - has8BitData: whether any byte of the message is above 127.
    public mutating func beginTransaction(envelope: SMTPEnvelope, messageSize: Int, has8BitData: Bool) -> Action {
        guard case .ready = state else { preconditionFailure("beginTransaction() when the session is not ready") }
        let parameters: [SMTPParameter]
        switch capabilities.mailParameters(for: envelope, messageSize: messageSize, has8BitData: has8BitData) {
        case .success(let checked): parameters = checked
        case .failure(let error): return .commandFailed(error)
        }
        let mail = SMTPCommand.mailFrom(envelope.sender, parameters: parameters)
        let pipelined = capabilities.supportsPipelining
        state = .transaction(Transaction(replies: SMTPTransactionReplies(envelope: envelope), pipelined: pipelined))
        if pipelined {
            return .send([mail] + envelope.recipients.map { .rcptTo($0, parameters: []) } + [.data])
        }
        return .send([mail])
    }

    /// Starts a dry run of a send (RFC 5321 §3.3 without the data phase): `MAIL FROM` and every
    /// `RCPT TO`, pipelined when the server offers PIPELINING, then `RSET`, so the server says
    /// whether it would take the message from this sender for these recipients and nothing is
    /// sent. Ends in `.transactionSucceeded` (the RSET reply as the final reply) when the sender
    /// and at least one recipient were accepted, else in `.commandFailed` after the RSET.
    public mutating func beginDryRun(envelope: SMTPEnvelope) -> Action {
        guard case .ready = state else { preconditionFailure("beginDryRun() when the session is not ready") }
        let parameters: [SMTPParameter]
        switch capabilities.mailParameters(for: envelope, messageSize: 0, has8BitData: false) {
        case .success(let checked): parameters = checked.filter { $0.keyword.uppercased() != "SIZE" }
        case .failure(let error): return .commandFailed(error)
        }
        let mail = SMTPCommand.mailFrom(envelope.sender, parameters: parameters)
        let pipelined = capabilities.supportsPipelining
        var transaction = Transaction(replies: SMTPTransactionReplies(envelope: envelope), pipelined: pipelined)
        transaction.dryRun = true
        state = .transaction(transaction)
        if pipelined {
            return .send([mail] + envelope.recipients.map { .rcptTo($0, parameters: []) })
        }
        return .send([mail])
    }

    /// The message (or the lone terminator) has been written; the final reply comes next.
    public mutating func messageSent() -> Action {
        guard case .sendingMessage(let transaction) = state else {
            preconditionFailure("messageSent() before a 354 reply")
        }
        state = .awaitingFinalReply(transaction)
        return .wait
    }

    /// Sends NOOP to check that the idle session is alive (RFC 5321 §4.1.1.9); a positive reply
    /// comes back as `.sessionReady`.
    public mutating func noop() -> Action {
        guard case .ready = state else { preconditionFailure("noop() when the session is not ready") }
        state = .awaitingNoopReply
        return .send([.noop])
    }

    /// Ends the session politely with QUIT when it is idle; otherwise just closes.
    public mutating func quit() -> Action {
        switch state {
        case .ready:
            state = .awaitingQuitReply
            return .send([.quit])
        default:
            state = .closed
            return .closeConnection
        }
    }

    // MARK: Helpers

    private var isAwaitingQuit: Bool {
        if case .awaitingQuitReply = state { return true }
        return false
    }

    private mutating func fail(_ error: SMTPError) -> Action {
        state = .closed
        return .sessionFailed(error)
    }

    /// Resets the server's transaction state, then reports `error` (RFC 5321 §4.1.1.5).
    private mutating func abortTransaction(_ error: SMTPError) -> Action {
        state = .awaitingRSETReply(error)
        return .send([.rset])
    }

    private mutating func ehloReplyReceived(_ reply: SMTPReply, afterTLS: Bool) -> Action {
        guard reply.isPositiveCompletion else {
            // RFC 5321 §3.2: a server that does not know EHLO answers 500/502; try HELO, which
            // has no extensions, so not when TLS is required or already negotiated by STARTTLS.
            if reply.isPermanentFailure, !afterTLS, !configuration.requiresStartTLS {
                state = .awaitingHELOReply
                return .send([.helo(configuration.clientHostname)])
            }
            if configuration.requiresStartTLS, !afterTLS {
                return fail(
                    SMTPError(
                        .startTLSNotOffered, reply: reply,
                        detail: "the server does not know EHLO, so it cannot offer STARTTLS"))
            }
            return fail(SMTPError.classify(reply, during: .greeting))
        }
        capabilities = SMTPCapabilities(ehloReply: reply)
        if configuration.requiresStartTLS, !afterTLS {
            guard capabilities.supportsStartTLS else {
                return fail(SMTPError(.startTLSNotOffered, reply: reply, detail: "the server does not offer STARTTLS"))
            }
            state = .awaitingStartTLSReply
            return .send([.startTLS])
        }
        state = .ready
        return .sessionReady(capabilities)
    }

    private mutating func authenticationReplyReceived(_ reply: SMTPReply, cancelled: SMTPError?) -> Action {
        if let cancelled {
            state = .ready
            return .commandFailed(cancelled)
        }
        switch reply.code {
        case 334:
            return .answerChallenge(reply.lines.first ?? "")
        case 235:
            state = .ready
            return .authenticated
        default:
            guard !reply.isPositiveCompletion, reply.severity != .positiveIntermediate else {
                return fail(SMTPError(.malformedReply, reply: reply, detail: "an unexpected reply during AUTH"))
            }
            state = .ready
            return .commandFailed(SMTPError.classify(reply, during: .authentication))
        }
    }

    private mutating func transactionReplyReceived(_ reply: SMTPReply, transaction: inout Transaction) -> Action {
        let recipients = transaction.envelope.recipients
        if transaction.mailReply == nil {
            transaction.mailReply = reply
            state = .transaction(transaction)
            if transaction.pipelined { return .wait }
            guard reply.isPositiveCompletion else {
                return abortTransaction(transaction.envelopeFailure(dataReply: nil))
            }
            return .send([.rcptTo(recipients[0], parameters: [])])
        }
        if transaction.recipientReplies.count < recipients.count {
            transaction.recipientReplies.append(reply)
            state = .transaction(transaction)
            if transaction.dryRun, transaction.recipientReplies.count == recipients.count {
                guard transaction.mailAccepted, transaction.anyRecipientAccepted else {
                    return abortTransaction(transaction.envelopeFailure(dataReply: nil))
                }
                state = .awaitingDryRunRSETReply(transaction)
                return .send([.rset])
            }
            if transaction.pipelined { return .wait }
            if transaction.recipientReplies.count < recipients.count {
                return .send([.rcptTo(recipients[transaction.recipientReplies.count], parameters: [])])
            }
            guard transaction.anyRecipientAccepted else {
                return abortTransaction(transaction.envelopeFailure(dataReply: nil))
            }
            return .send([.data])
        }
        // The reply to DATA.
        if reply.code == 354 {
            if transaction.mailAccepted, transaction.anyRecipientAccepted {
                state = .sendingMessage(transaction)
                return .sendMessage
            }
            transaction.abortReason = transaction.envelopeFailure(dataReply: nil)
            state = .sendingMessage(transaction)
            return .sendTerminatorOnly
        }
        if reply.isPositiveCompletion || reply.severity == .positiveIntermediate {
            return fail(
                SMTPError(.malformedReply, reply: reply, detail: "DATA was answered with neither 354 nor an error"))
        }
        return abortTransaction(transaction.envelopeFailure(dataReply: reply))
    }
}
