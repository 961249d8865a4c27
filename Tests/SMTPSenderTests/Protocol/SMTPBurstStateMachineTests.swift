import Testing

@testable import SMTPSender

/// A burst of transactions, events in and actions out, no I/O: what is written when, how
/// replies are matched, and that a refused transaction leaves the others exact.
@Suite("SMTPBurstStateMachine")
struct SMTPBurstStateMachineTests {
    typealias Machine = SMTPBurstStateMachine
    typealias Write = SMTPBurstStateMachine.Write

    static func reply(_ code: Int, _ text: String = "") -> SMTPReply { SMTPReply(code: code, lines: [text]) }
    static let ok = reply(250, "ok")
    static let chunking = SMTPCapabilities(extensions: ["PIPELINING": [], "CHUNKING": [], "SIZE": ["1000"]])
    static let pipelining = SMTPCapabilities(extensions: ["PIPELINING": [], "SIZE": ["1000"]])

    static func envelope(_ from: String = "a@example.com", to: [String] = ["b@example.org"]) -> SMTPEnvelope {
        do { return try SMTPEnvelope(from: from, to: to) } catch { preconditionFailure("\(error)") }
    }
    static func message(_ envelope: SMTPEnvelope = envelope(), size: Int = 10) -> Machine.Message {
        Machine.Message(envelope: envelope, size: size, has8BitData: false)
    }
    static func mail(_ from: String = "a@example.com", size: Int = 10) -> SMTPCommand {
        .mailFrom(try? SMTPPath(from), parameters: [.size(size)])
    }
    static func rcpt(_ to: String = "b@example.org") -> SMTPCommand {
        do { return .rcptTo(try SMTPPath(to), parameters: []) } catch { preconditionFailure("\(error)") }
    }
    static func write(
        _ commands: [SMTPCommand], content: Machine.Content = .none, chunked: Int? = nil
    ) -> Machine.Action {
        .write(Write(content: content, commands: commands, chunkedMessage: chunked))
    }

    /// Feeds `replies`, expecting `.wait` after each but the last; returns the last action.
    static func feed(_ machine: inout Machine, _ replies: [SMTPReply]) -> Machine.Action {
        var action = Machine.Action.wait
        for (index, reply) in replies.enumerated() {
            action = machine.replyReceived(reply)
            if index < replies.count - 1 { #expect(action == .wait, "after reply \(index)") }
        }
        return action
    }

    static func code(_ result: Result<SMTPSendResult, SMTPError>??) -> SMTPError.Code? {
        guard case .failure(let error)?? = result else { return nil }
        return error.code
    }

    // MARK: BDAT

    @Test("with CHUNKING every transaction is written before any reply, each after the first behind an RSET")
    func chunkedBackToBack() throws {
        var machine = Machine(messages: [Self.message(), Self.message()], capabilities: Self.chunking)
        #expect(machine.start() == Self.write([Self.mail(), Self.rcpt()], chunked: 0))
        #expect(machine.written() == Self.write([.rset, Self.mail(), Self.rcpt()], chunked: 1))
        #expect(machine.written() == .wait)
        #expect(Self.feed(&machine, [Self.ok, Self.ok, Self.reply(250, "queued 1")]) == .wait)
        #expect(Self.feed(&machine, [Self.ok, Self.ok, Self.ok, Self.reply(250, "queued 2")]) == .finished)
        #expect(try machine.results.map { try $0?.get().finalReply.text } == ["queued 1", "queued 2"])
    }

    @Test("a transaction written after the previous one succeeded needs no RSET")
    func noResetAfterKnownSuccess() {
        var machine = Machine(
            messages: [Self.message(), Self.message()], capabilities: Self.chunking,
            configuration: .init(maximumTransactionsInFlight: 1))
        #expect(machine.start() == Self.write([Self.mail(), Self.rcpt()], chunked: 0))
        #expect(machine.written() == .wait)
        #expect(
            Self.feed(&machine, [Self.ok, Self.ok, Self.ok]) == Self.write([Self.mail(), Self.rcpt()], chunked: 1))
    }

    @Test("a refused sender fails its message only; the next transaction's RSET clears what BDAT left")
    func refusedSenderChunked() throws {
        var machine = Machine(messages: [Self.message(), Self.message()], capabilities: Self.chunking)
        _ = machine.start()
        _ = machine.written()
        _ = machine.written()
        let refused = [Self.reply(553, "sender refused"), Self.reply(503, "need MAIL"), Self.reply(503, "need MAIL")]
        #expect(Self.feed(&machine, refused) == .wait)
        #expect(Self.code(machine.results[0]) == .senderRefused)
        #expect(Self.feed(&machine, [Self.ok, Self.ok, Self.ok, Self.ok]) == .finished)
        #expect(try machine.results[1]?.get().acceptedRecipients.count == 1)
    }

    @Test("every recipient refused fails that message with recipientRefused, the BDAT's 554 notwithstanding")
    func everyRecipientRefusedChunked() {
        var machine = Machine(messages: [Self.message(), Self.message()], capabilities: Self.chunking)
        _ = machine.start()
        _ = machine.written()
        _ = machine.written()
        #expect(Self.feed(&machine, [Self.ok, Self.reply(550, "no such user"), Self.reply(554, "no valid")]) == .wait)
        #expect(Self.code(machine.results[0]) == .recipientRefused)
        #expect(Self.feed(&machine, [Self.ok, Self.ok, Self.ok, Self.ok]) == .finished)
        #expect(Self.code(machine.results[1]) == nil)
    }

    @Test("a refused last chunk fails that message, and an RSET ends the burst")
    func refusedDataChunkedLast() {
        var machine = Machine(messages: [Self.message()], capabilities: Self.chunking)
        _ = machine.start()
        #expect(machine.written() == .wait)
        #expect(
            Self.feed(&machine, [Self.ok, Self.ok, Self.reply(552, "too big")]) == Self.write([.rset], chunked: nil))
        #expect(Self.code(machine.results[0]) == .messageTooLarge)
        #expect(machine.written() == .wait)
        #expect(machine.replyReceived(Self.ok) == .finished)
    }

    @Test("a message bigger than a chunk expects one reply per chunk, the last one deciding")
    func severalChunks() throws {
        var machine = Machine(
            messages: [Self.message(size: 2500)],
            capabilities: SMTPCapabilities(extensions: ["PIPELINING": [], "CHUNKING": []]),
            configuration: .init(chunkSize: 1000))
        #expect(Machine.chunkCount(size: 2500, chunkSize: 1000) == 3)
        #expect(Machine.chunkCount(size: 0, chunkSize: 1000) == 1)
        _ = machine.start()
        _ = machine.written()
        #expect(Self.feed(&machine, [Self.ok, Self.ok, Self.ok, Self.ok, Self.reply(250, "queued")]) == .finished)
        #expect(try machine.results[0]?.get().finalReply.text == "queued")
    }

    @Test("the window bounds the transactions in flight; each outcome opens room for the next")
    func window() {
        let messages = Array(repeating: Self.message(), count: 3)
        var machine = Machine(
            messages: messages, capabilities: Self.chunking, configuration: .init(maximumTransactionsInFlight: 2))
        _ = machine.start()
        #expect(machine.written() == Self.write([.rset, Self.mail(), Self.rcpt()], chunked: 1))
        #expect(machine.written() == .wait)
        #expect(
            Self.feed(&machine, [Self.ok, Self.ok, Self.ok])
                == Self.write([.rset, Self.mail(), Self.rcpt()], chunked: 2))
    }

    // MARK: DATA

    @Test("with DATA the next MAIL, RCPT and DATA go in the same write as the end of the previous message")
    func dataPipelinedAcross() throws {
        var machine = Machine(messages: [Self.message(), Self.message()], capabilities: Self.pipelining)
        #expect(machine.start() == Self.write([Self.mail(), Self.rcpt(), .data]))
        #expect(machine.written() == .wait)
        #expect(
            Self.feed(&machine, [Self.ok, Self.ok, Self.reply(354)])
                == Self.write([Self.mail(), Self.rcpt(), .data], content: .message(0)))
        #expect(machine.written() == .wait)
        #expect(
            Self.feed(&machine, [Self.reply(250, "q1"), Self.ok, Self.ok, Self.reply(354)])
                == Self.write([], content: .message(1)))
        #expect(machine.written() == .wait)
        #expect(machine.replyReceived(Self.reply(250, "q2")) == .finished)
        #expect(try machine.results.map { try $0?.get().finalReply.text } == ["q1", "q2"])
    }

    @Test("DATA refused leaves a transaction open, so the next group starts with RSET")
    func dataRefusedThenReset() {
        var machine = Machine(messages: [Self.message(), Self.message()], capabilities: Self.pipelining)
        _ = machine.start()
        _ = machine.written()
        #expect(
            Self.feed(&machine, [Self.ok, Self.reply(550, "unknown"), Self.reply(554, "no valid recipients")])
                == Self.write([.rset, Self.mail(), Self.rcpt(), .data]))
        #expect(Self.code(machine.results[0]) == .recipientRefused)
    }

    @Test("a refusal after the final dot needs no RSET: the end of the data cleared the transaction")
    func refusedAfterDataNoReset() {
        var machine = Machine(messages: [Self.message(), Self.message()], capabilities: Self.pipelining)
        _ = machine.start()
        _ = machine.written()
        _ = Self.feed(&machine, [Self.ok, Self.ok, Self.reply(354)])
        _ = machine.written()
        #expect(
            Self.feed(&machine, [Self.reply(554, "spam"), Self.ok, Self.ok, Self.reply(354)])
                == Self.write([], content: .message(1)))
        #expect(Self.code(machine.results[0]) == .permanent)
        _ = machine.written()
        #expect(machine.replyReceived(Self.ok) == .finished)
    }

    @Test("a 354 though no recipient was accepted ends the data empty and reports the refusal")
    func terminatorOnly() {
        var machine = Machine(messages: [Self.message()], capabilities: Self.pipelining)
        _ = machine.start()
        _ = machine.written()
        #expect(
            Self.feed(&machine, [Self.ok, Self.reply(550), Self.reply(354)])
                == Self.write([], content: .terminatorOnly(0)))
        _ = machine.written()
        #expect(machine.replyReceived(Self.reply(554, "no recipients")) == .finished)
        #expect(Self.code(machine.results[0]) == .recipientRefused)
    }

    // MARK: Refusals before sending, failures

    @Test("a message over SIZE is refused without being written; the others go")
    func refusedBeforeSending() {
        var machine = Machine(messages: [Self.message(size: 5000), Self.message()], capabilities: Self.chunking)
        #expect(Self.code(machine.results[0]) == .messageTooLarge)
        #expect(machine.start() == Self.write([Self.mail(), Self.rcpt()], chunked: 1))
    }

    @Test("when the connection fails, a message whose end was written is outcome-unknown, the rest get the error")
    func connectionFailed() {
        var machine = Machine(
            messages: [Self.message(), Self.message()], capabilities: Self.chunking,
            configuration: .init(maximumTransactionsInFlight: 1))
        _ = machine.start()
        _ = machine.written()
        machine.connectionFailed(SMTPError(.connectionFailed, detail: "reset"))
        #expect(Self.code(machine.results[0]) == .messageOutcomeUnknown)
        #expect(Self.code(machine.results[1]) == .connectionFailed)
    }

    @Test("421 fails the session and every message without an outcome")
    func serviceClosing() {
        var machine = Machine(messages: [Self.message(), Self.message()], capabilities: Self.chunking)
        _ = machine.start()
        _ = machine.written()
        _ = machine.written()
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(421, "bye")) else {
            Issue.record("expected sessionFailed")
            return
        }
        #expect(error.code == .serviceUnavailable)
        #expect(machine.results.allSatisfy { Self.code($0) == .serviceUnavailable })
    }

    @Test("an empty burst finishes at once")
    func emptyBurst() {
        var machine = Machine(messages: [], capabilities: Self.chunking)
        #expect(machine.start() == .finished)
    }

}
