import Testing

@testable import SMTPSender

/// Events in, actions out: one line each, no I/O.
@Suite("LMTPStateMachine")
struct LMTPStateMachineTests {
    static func reply(_ code: Int, _ lines: String...) -> SMTPReply {
        SMTPReply(code: code, lines: lines.isEmpty ? [""] : lines)
    }

    static func path(_ address: String) -> SMTPPath {
        do { return try SMTPPath(address) } catch { preconditionFailure("\(error)") }
    }

    static let pipelining = reply(250, "mx", "PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES")
    static let lockstep = reply(250, "mx", "8BITMIME")
    let judy = path("judy@example.test")
    let ivan = path("ivan@example.test")

    func ready(_ lhlo: SMTPReply = pipelining) -> LMTPStateMachine {
        var machine = LMTPStateMachine()
        _ = machine.replyReceived(Self.reply(220, "lmtp"))
        _ = machine.replyReceived(lhlo)
        precondition(machine.isReady)
        return machine
    }

    /// A machine whose message (to `recipients`, every one accepted) has just been written.
    func afterMessage(to recipients: [SMTPPath]) -> LMTPStateMachine {
        var machine = ready()
        _ = machine.beginTransaction(sender: nil, recipients: recipients)
        _ = machine.replyReceived(Self.reply(250))
        for _ in recipients { _ = machine.replyReceived(Self.reply(250)) }
        precondition(machine.replyReceived(Self.reply(354)) == .sendMessage)
        precondition(machine.messageSent() == .wait)
        return machine
    }

    @Test("the greeting is answered with LHLO, never EHLO")
    func greeting() {
        var machine = LMTPStateMachine(configuration: .init(clientHostname: "worker-1"))
        #expect(machine.replyReceived(Self.reply(220, "lmtp")) == .send([.lhlo("worker-1")]))
    }

    @Test("a refused LHLO fails the session and asks whether this is LMTP")
    func refusedLHLO() {
        var machine = LMTPStateMachine()
        _ = machine.replyReceived(Self.reply(220))
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(500, "unknown command")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.detail.contains("LMTP"))
        #expect(machine.isClosed)
    }

    @Test("the LHLO reply's extensions open the session")
    func opensSession() {
        var machine = LMTPStateMachine()
        _ = machine.replyReceived(Self.reply(220))
        #expect(machine.replyReceived(Self.pipelining) == .sessionReady(SMTPCapabilities(ehloReply: Self.pipelining)))
    }

    @Test("with .startTLS required, STARTTLS follows LHLO, and LHLO is said again after the handshake")
    func startTLS() {
        var machine = LMTPStateMachine(configuration: .init(requiresStartTLS: true))
        _ = machine.replyReceived(Self.reply(220))
        #expect(machine.replyReceived(Self.reply(250, "mx", "STARTTLS")) == .send([.smtp(.startTLS)]))
        #expect(machine.replyReceived(Self.reply(220, "go ahead")) == .startTLSHandshake)
        #expect(machine.tlsEstablished() == .send([.lhlo("localhost")]))
        #expect(machine.replyReceived(Self.lockstep) == .sessionReady(SMTPCapabilities(ehloReply: Self.lockstep)))
    }

    @Test("with .startTLS required, a server without STARTTLS fails the session")
    func startTLSMissing() {
        var machine = LMTPStateMachine(configuration: .init(requiresStartTLS: true))
        _ = machine.replyReceived(Self.reply(220))
        guard case .sessionFailed(let error) = machine.replyReceived(Self.lockstep) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .startTLSNotOffered)
    }

    @Test("with PIPELINING, MAIL, every RCPT and DATA go in one write")
    func pipelinedEnvelope() {
        var machine = ready()
        #expect(
            machine.beginTransaction(sender: nil, recipients: [judy, ivan], messageSize: 10, has8BitData: true)
                == .send([
                    .smtp(.mailFrom(nil, parameters: [.body8BitMIME])), .smtp(.rcptTo(judy, parameters: [])),
                    .smtp(.rcptTo(ivan, parameters: [])), .smtp(.data),
                ]))
    }

    @Test("without PIPELINING, each command waits for the previous reply")
    func lockstepEnvelope() {
        var machine = ready(Self.lockstep)
        #expect(
            machine.beginTransaction(sender: nil, recipients: [judy, ivan])
                == .send([.smtp(.mailFrom(nil, parameters: []))]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.smtp(.rcptTo(judy, parameters: []))]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.smtp(.rcptTo(ivan, parameters: []))]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.smtp(.data)]))
        #expect(machine.replyReceived(Self.reply(354)) == .sendMessage)
    }

    @Test("after the dot the machine waits for one reply per accepted recipient")
    func onePerRecipient() {
        var machine = afterMessage(to: [judy, ivan])
        #expect(machine.replyReceived(Self.reply(250, "saved")) == .wait)
        guard case .delivered(let result) = machine.replyReceived(Self.reply(452, "full")) else {
            Issue.record("expected the result")
            return
        }
        #expect(result.deliveredRecipients == [judy])
        #expect(result.failures.map(\.address) == ["ivan@example.test"])
        #expect(result.failures.first?.isTransient == true)
        #expect(machine.isReady)
    }

    @Test("a refused recipient gets no reply after the dot; the next one's is its own")
    func refusedRecipientSkipped() {
        var machine = ready()
        _ = machine.beginTransaction(sender: nil, recipients: [judy, ivan])
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(550, "no such user"))
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(354))
        _ = machine.messageSent()
        guard case .delivered(let result) = machine.replyReceived(Self.reply(250, "saved")) else {
            Issue.record("one reply for the one accepted recipient ends the transaction")
            return
        }
        #expect(result.deliveredRecipients == [ivan])
        #expect(result.outcome(for: judy)?.dataReply == nil)
        #expect(result.outcome(for: judy)?.error?.code == .recipientRefused)
    }

    @Test("every recipient refused: RSET, then the transaction fails and the session stays open")
    func everyRecipientRefused() {
        var machine = ready()
        _ = machine.beginTransaction(sender: nil, recipients: [judy])
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(550, "no such user"))
        #expect(machine.replyReceived(Self.reply(503, "no recipients")) == .send([.smtp(.rset)]))
        guard case .transactionFailed(let error) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected a refused transaction")
            return
        }
        #expect(error.code == .recipientRefused)
        #expect(machine.isReady)
    }

    @Test("a refused MAIL without PIPELINING fails the transaction at once")
    func refusedSender() {
        var machine = ready(Self.lockstep)
        _ = machine.beginTransaction(sender: judy, recipients: [ivan])
        guard case .transactionFailed(let error) = machine.replyReceived(Self.reply(451, "try later")) else {
            Issue.record("expected a refused transaction")
            return
        }
        #expect(error.isTransient)
        #expect(machine.isReady)
    }

    @Test("354 although no recipient was accepted is a server fault")
    func dataWithoutRecipients() {
        var machine = ready()
        _ = machine.beginTransaction(sender: nil, recipients: [judy])
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(550))
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(354)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .malformedReply)
    }

    @Test("421 during the envelope ends the session")
    func closingServer() {
        var machine = ready()
        _ = machine.beginTransaction(sender: nil, recipients: [judy])
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(421, "shutting down")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .serviceUnavailable)
    }

    @Test("421 after the dot is that recipient's outcome, not the end of the others'")
    func closingAfterDot() {
        var machine = afterMessage(to: [judy, ivan])
        _ = machine.replyReceived(Self.reply(250))
        guard case .delivered(let result) = machine.replyReceived(Self.reply(421, "shutting down")) else {
            Issue.record("expected the result")
            return
        }
        #expect(result.deliveredRecipients == [judy])
    }

    @Test("a reply while nothing waits is a server fault")
    func unsolicited() {
        var machine = ready()
        guard case .sessionFailed = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected a failure")
            return
        }
    }

    @Test("RSET and QUIT")
    func resetAndQuit() {
        var machine = ready()
        #expect(machine.reset() == .send([.smtp(.rset)]))
        #expect(machine.replyReceived(Self.reply(250)) == .sessionReady(SMTPCapabilities(ehloReply: Self.pipelining)))
        #expect(machine.quit() == .send([.smtp(.quit)]))
        #expect(machine.replyReceived(Self.reply(221)) == .closeConnection)
        #expect(machine.isClosed)
    }

    @Test("LHLO encodes like EHLO and refuses a name that could inject a command")
    func lhloEncoding() throws {
        #expect(try LMTPCommand.lhlo("worker-1.example.net").encoded() == Array("LHLO worker-1.example.net\r\n".utf8))
        #expect(throws: SMTPError.self) { try LMTPCommand.lhlo("a\r\nRSET").encoded() }
    }
}
