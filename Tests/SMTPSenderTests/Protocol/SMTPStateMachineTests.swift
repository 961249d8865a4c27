import Testing

@testable import SMTPSender

/// Events in, actions out: one line each, no I/O.
@Suite("SMTPStateMachine")
struct SMTPStateMachineTests {
    typealias Action = SMTPStateMachine.Action
    let ehlo = SMTPCommand.ehlo("[127.0.0.1]")

    static func reply(_ code: Int, _ lines: String..., status: EnhancedStatusCode? = nil) -> SMTPReply {
        SMTPReply(code: code, enhancedStatus: status, lines: lines.isEmpty ? [""] : lines)
    }

    static let ehloPlain = reply(250, "mx", "SIZE 1000", "8BITMIME", "AUTH PLAIN")
    static let ehloPipelining = reply(250, "mx", "PIPELINING", "SIZE 1000", "8BITMIME", "SMTPUTF8", "STARTTLS")
    static let envelope: SMTPEnvelope = {
        do { return try SMTPEnvelope(from: "a@example.com", to: ["b@example.org", "c@example.org"]) } catch {
            preconditionFailure("\(error)")
        }
    }()
    var alice: SMTPPath { Self.envelope.sender! }
    var bob: SMTPPath { Self.envelope.recipients[0] }
    var carol: SMTPPath { Self.envelope.recipients[1] }

    /// A machine in the ready state after `ehloReply`.
    func ready(_ ehloReply: SMTPReply = ehloPlain) -> SMTPStateMachine {
        var machine = SMTPStateMachine()
        _ = machine.replyReceived(Self.reply(220, "hi"))
        _ = machine.replyReceived(ehloReply)
        precondition(machine.isReady)
        return machine
    }

    // MARK: Opening

    @Test("the greeting is answered with EHLO")
    func greeting() {
        var machine = SMTPStateMachine()
        #expect(machine.replyReceived(Self.reply(220, "mx ESMTP")) == .send([ehlo]))
    }

    @Test("a 554 greeting fails the session")
    func refusedGreeting() {
        var machine = SMTPStateMachine()
        #expect(
            machine.replyReceived(Self.reply(554, "go away"))
                == .sessionFailed(
                    SMTPError(
                        .serviceUnavailable, reply: Self.reply(554, "go away"), detail: "the server refused the session"
                    )))
        #expect(machine.isClosed)
    }

    @Test("a positive EHLO reply makes the session ready with its capabilities")
    func ehloReady() {
        var machine = SMTPStateMachine()
        _ = machine.replyReceived(Self.reply(220))
        #expect(machine.replyReceived(Self.ehloPlain) == .sessionReady(SMTPCapabilities(ehloReply: Self.ehloPlain)))
    }

    @Test("a server that does not know EHLO gets HELO")
    func heloFallback() {
        var machine = SMTPStateMachine()
        _ = machine.replyReceived(Self.reply(220))
        #expect(machine.replyReceived(Self.reply(502, "unknown")) == .send([.helo("[127.0.0.1]")]))
        #expect(machine.replyReceived(Self.reply(250, "hello")) == .sessionReady(SMTPCapabilities(greeting: "hello")))
    }

    // MARK: STARTTLS

    @Test("with STARTTLS required, EHLO is followed by STARTTLS, the handshake and a second EHLO")
    func startTLS() {
        var machine = SMTPStateMachine(configuration: .init(requiresStartTLS: true))
        #expect(machine.replyReceived(Self.reply(220)) == .send([ehlo]))
        #expect(machine.replyReceived(Self.ehloPipelining) == .send([.startTLS]))
        #expect(machine.replyReceived(Self.reply(220, "go ahead")) == .startTLSHandshake)
        #expect(machine.tlsEstablished() == .send([ehlo]))
        #expect(machine.capabilities == SMTPCapabilities())
        #expect(machine.replyReceived(Self.ehloPlain) == .sessionReady(SMTPCapabilities(ehloReply: Self.ehloPlain)))
    }

    @Test("with STARTTLS required, a server that does not offer it fails the session")
    func startTLSNotOffered() {
        var machine = SMTPStateMachine(configuration: .init(requiresStartTLS: true))
        _ = machine.replyReceived(Self.reply(220))
        guard case .sessionFailed(let error) = machine.replyReceived(Self.ehloPlain) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .startTLSNotOffered)
    }

    @Test("with STARTTLS required, HELO is never tried")
    func startTLSNoHELO() {
        var machine = SMTPStateMachine(configuration: .init(requiresStartTLS: true))
        _ = machine.replyReceived(Self.reply(220))
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(502)) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .startTLSNotOffered)
    }

    @Test("a refused STARTTLS fails the session instead of continuing in plaintext")
    func startTLSRefused() {
        var machine = SMTPStateMachine(configuration: .init(requiresStartTLS: true))
        _ = machine.replyReceived(Self.reply(220))
        _ = machine.replyReceived(Self.ehloPipelining)
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(454, "TLS not available")) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .startTLSRefused)
    }

    // MARK: AUTH

    @Test("AUTH carries the initial response, or none when it is withheld")
    func authInitialResponse() {
        var machine = ready()
        #expect(
            machine.authenticate(mechanism: "PLAIN", initialResponse: "AHUAcA==")
                == .send([.auth(mechanism: "PLAIN", initialResponse: "AHUAcA==")]))
        var withheld = ready()
        #expect(
            withheld.authenticate(mechanism: "XOAUTH2", initialResponse: nil)
                == .send([.auth(mechanism: "XOAUTH2", initialResponse: nil)]))
    }

    @Test("a 334 challenge goes to the SASL session and its answer is sent as a line")
    func authChallenge() {
        var machine = ready()
        _ = machine.authenticate(mechanism: "LOGIN", initialResponse: nil)
        #expect(machine.replyReceived(Self.reply(334, "VXNlcm5hbWU6")) == .answerChallenge("VXNlcm5hbWU6"))
        #expect(machine.challengeAnswered("dGlt") == .send([.authResponse("dGlt")]))
        #expect(machine.replyReceived(Self.reply(235, "ok")) == .authenticated)
        #expect(machine.isReady)
    }

    @Test("a challenge the session cannot answer is cancelled with * and reported")
    func authCancelled() {
        var machine = ready()
        _ = machine.authenticate(mechanism: "LOGIN", initialResponse: nil)
        #expect(machine.replyReceived(Self.reply(334, "not base64!")) == .answerChallenge("not base64!"))
        let error = SMTPError(.malformedReply, detail: "bad challenge")
        #expect(machine.cancelAuthentication(error) == .send([.authResponse("*")]))
        #expect(machine.replyReceived(Self.reply(501, "cancelled")) == .commandFailed(error))
        #expect(machine.isReady)
    }

    @Test("535 5.7.8 is a failed authentication; the session stays usable")
    func authFailed() {
        var machine = ready()
        _ = machine.authenticate(mechanism: "PLAIN", initialResponse: "AA==")
        guard case .commandFailed(let error) = machine.replyReceived(Self.reply(535, "bad", status: .init(5, 7, 8)))
        else { Issue.record("expected a failure"); return }
        #expect(error.code == .authenticationFailed)
        #expect(machine.isReady)
    }

    // MARK: Transactions

    @Test("without PIPELINING, MAIL, each RCPT and DATA go one at a time")
    func transactionLockstep() {
        var machine = ready()
        #expect(
            machine.beginTransaction(envelope: Self.envelope, messageSize: 10, has8BitData: false)
                == .send([.mailFrom(alice, parameters: [.size(10)])]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.rcptTo(bob, parameters: [])]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.rcptTo(carol, parameters: [])]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.data]))
        #expect(machine.replyReceived(Self.reply(354)) == .sendMessage)
        #expect(machine.messageSent() == .wait)
        guard case .transactionSucceeded(let result) = machine.replyReceived(Self.reply(250, "queued")) else {
            Issue.record("expected success"); return
        }
        #expect(result.acceptedRecipients == [bob, carol])
        #expect(result.finalReply.text == "queued")
        #expect(machine.isReady)
    }

    @Test("with PIPELINING, MAIL, every RCPT and DATA go in one group, with BODY and SIZE")
    func transactionPipelined() {
        var machine = ready(Self.ehloPipelining)
        #expect(
            machine.beginTransaction(envelope: Self.envelope, messageSize: 10, has8BitData: true)
                == .send([
                    .mailFrom(alice, parameters: [.size(10), .body8BitMIME]), .rcptTo(bob, parameters: []),
                    .rcptTo(carol, parameters: []), .data,
                ]))
        #expect(machine.replyReceived(Self.reply(250)) == .wait)
        #expect(machine.replyReceived(Self.reply(250)) == .wait)
        #expect(machine.replyReceived(Self.reply(550, "no such user", status: .init(5, 1, 1))) == .wait)
        #expect(machine.replyReceived(Self.reply(354)) == .sendMessage)
        _ = machine.messageSent()
        guard case .transactionSucceeded(let result) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected success"); return
        }
        #expect(result.acceptedRecipients == [bob])
        #expect(result.refusedRecipients.map(\.address) == [carol.address])
        #expect(result.refusedRecipients.first?.code == .recipientRefused)
    }

    @Test("a dry run sends MAIL and RCPT one at a time, then RSET instead of DATA, and reports each recipient")
    func dryRunLockstep() {
        var machine = ready()
        #expect(machine.beginDryRun(envelope: Self.envelope) == .send([.mailFrom(alice, parameters: [])]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.rcptTo(bob, parameters: [])]))
        #expect(machine.replyReceived(Self.reply(250)) == .send([.rcptTo(carol, parameters: [])]))
        #expect(machine.replyReceived(Self.reply(550, "no such user")) == .send([.rset]))
        guard case .transactionSucceeded(let result) = machine.replyReceived(Self.reply(250, "reset")) else {
            Issue.record("expected success"); return
        }
        #expect(result.acceptedRecipients == [bob])
        #expect(result.recipients.last?.reply.text == "no such user")
        #expect(machine.isReady)
    }

    @Test("a pipelined dry run sends MAIL and every RCPT at once, no DATA; a refused sender ends in RSET and the refusal")
    func dryRunPipelined() {
        var machine = ready(Self.ehloPipelining)
        #expect(
            machine.beginDryRun(envelope: Self.envelope)
                == .send([.mailFrom(alice, parameters: []), .rcptTo(bob, parameters: []), .rcptTo(carol, parameters: [])]))
        #expect(machine.replyReceived(Self.reply(250)) == .wait)
        #expect(machine.replyReceived(Self.reply(250)) == .wait)
        #expect(machine.replyReceived(Self.reply(250)) == .send([.rset]))
        guard case .transactionSucceeded = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected success"); return
        }
        _ = machine.beginDryRun(envelope: Self.envelope)
        _ = machine.replyReceived(Self.reply(553, "not your address", status: .init(5, 7, 1)))
        _ = machine.replyReceived(Self.reply(503, "sender first"))
        #expect(machine.replyReceived(Self.reply(503, "sender first")) == .send([.rset]))
        guard case .commandFailed(let error) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected the sender's refusal"); return
        }
        #expect(error.code == .senderRefused)
        #expect(machine.isReady)
    }

    @Test("when every recipient is refused in a pipelined group, DATA's error is followed by RSET")
    func pipelinedAllRefused() {
        var machine = ready(Self.ehloPipelining)
        _ = machine.beginTransaction(envelope: Self.envelope, messageSize: 10, has8BitData: false)
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(550))
        _ = machine.replyReceived(Self.reply(550))
        #expect(machine.replyReceived(Self.reply(554, "no valid recipients")) == .send([.rset]))
        guard case .commandFailed(let error) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .recipientRefused)
        #expect(error.address == bob.address)
        #expect(machine.isReady)
    }

    @Test("a 354 after every recipient was refused gets only the terminator (RFC 2920)")
    func pipelinedAllRefusedButData354() {
        var machine = ready(Self.ehloPipelining)
        _ = machine.beginTransaction(envelope: Self.envelope, messageSize: 10, has8BitData: false)
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(550))
        _ = machine.replyReceived(Self.reply(550))
        #expect(machine.replyReceived(Self.reply(354)) == .sendTerminatorOnly)
        #expect(machine.messageSent() == .wait)
        #expect(machine.replyReceived(Self.reply(554)) == .send([.rset]))
        guard case .commandFailed(let error) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .recipientRefused)
    }

    @Test("a refused sender without PIPELINING is followed by RSET and reported")
    func senderRefused() {
        var machine = ready()
        _ = machine.beginTransaction(envelope: Self.envelope, messageSize: 10, has8BitData: false)
        #expect(machine.replyReceived(Self.reply(553, "not yours")) == .send([.rset]))
        guard case .commandFailed(let error) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .senderRefused)
    }

    @Test("a refused message after DATA is followed by RSET; 552 means too large")
    func messageRefused() throws {
        var machine = ready()
        _ = machine.beginTransaction(
            envelope: try SMTPEnvelope(from: "a@b.c", to: ["d@e.f"]), messageSize: 10, has8BitData: false)
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(250))
        _ = machine.replyReceived(Self.reply(354))
        _ = machine.messageSent()
        #expect(machine.replyReceived(Self.reply(552, "too big", status: .init(5, 3, 4))) == .send([.rset]))
        guard case .commandFailed(let error) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .messageTooLarge)
    }

    @Test("a message over the advertised SIZE is refused before anything is sent")
    func sizeLimit() {
        var machine = ready()
        guard
            case .commandFailed(let error) = machine.beginTransaction(
                envelope: Self.envelope, messageSize: 1001, has8BitData: false)
        else { Issue.record("expected a failure"); return }
        #expect(error.code == .messageTooLarge)
        #expect(machine.isReady)
    }

    @Test("a non-ASCII address needs SMTPUTF8; with it, the parameter is sent")
    func smtpUTF8() throws {
        let envelope = try SMTPEnvelope(from: "a@b.c", to: ["ü@b.c"])
        var plain = ready()
        guard
            case .commandFailed(let error) = plain.beginTransaction(
                envelope: envelope, messageSize: 1, has8BitData: false)
        else { Issue.record("expected a failure"); return }
        #expect(error.code == .smtpUTF8NotSupported)
        var capable = ready(Self.ehloPipelining)
        guard
            case .send(let commands) = capable.beginTransaction(envelope: envelope, messageSize: 1, has8BitData: false)
        else { Issue.record("expected commands"); return }
        #expect(commands.first == .mailFrom(envelope.sender, parameters: [.size(1), .smtpUTF8]))
    }

    @Test("8-bit data with SMTPUTF8 but without 8BITMIME is sent as SMTPUTF8")
    func eightBitAsSMTPUTF8() {
        var machine = ready(Self.reply(250, "mx", "SMTPUTF8"))
        #expect(
            machine.beginTransaction(envelope: Self.envelope, messageSize: 1, has8BitData: true)
                == .send([.mailFrom(alice, parameters: [.smtpUTF8])]))
    }

    @Test("8-bit data without 8BITMIME or SMTPUTF8 is refused before anything is sent")
    func eightBit() {
        var machine = ready(Self.reply(250, "mx"))
        guard
            case .commandFailed(let error) = machine.beginTransaction(
                envelope: Self.envelope, messageSize: 1, has8BitData: true)
        else { Issue.record("expected a failure"); return }
        #expect(error.code == .eightBitNotSupported)
    }

    // MARK: Anywhere

    @Test("421 at any point ends the session as a transient failure")
    func serviceClosing() {
        var machine = ready()
        _ = machine.beginTransaction(envelope: Self.envelope, messageSize: 1, has8BitData: false)
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(421, "shutting down")) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .serviceUnavailable)
        #expect(error.isTransient)
    }

    @Test("a reply nobody asked for fails the session")
    func unsolicited() {
        var machine = ready()
        guard case .sessionFailed(let error) = machine.replyReceived(Self.reply(250)) else {
            Issue.record("expected a failure"); return
        }
        #expect(error.code == .malformedReply)
    }

    @Test("NOOP is answered back to ready")
    func noop() {
        var machine = ready()
        #expect(machine.noop() == .send([.noop]))
        #expect(machine.replyReceived(Self.reply(250)) == .sessionReady(SMTPCapabilities(ehloReply: Self.ehloPlain)))
        #expect(machine.isReady)
    }

    @Test("QUIT is sent when idle and its reply closes the connection")
    func quit() {
        var machine = ready()
        #expect(machine.quit() == .send([.quit]))
        #expect(machine.replyReceived(Self.reply(221, "bye")) == .closeConnection)
        #expect(machine.isClosed)
    }
}
