import Testing

@testable import IMAPProtocol

@Suite("IMAPStateMachine")
struct IMAPStateMachineTests {
    static func ok(_ tag: String, _ code: String? = nil) -> IMAPResponse {
        .tagged(
            IMAPTaggedResponse(
                tag: tag, status: .ok,
                text: IMAPResponseText(code: code.map { IMAPResponseCode(name: $0) }, text: "done")))
    }

    static func no(_ tag: String) -> IMAPResponse {
        .tagged(IMAPTaggedResponse(tag: tag, status: .no, text: IMAPResponseText(text: "no")))
    }

    static func greeted() -> IMAPStateMachine {
        var machine = IMAPStateMachine()
        _ = machine.greetingReceived(.untagged(.condition(.ok, .init(text: "hi"))))
        return machine
    }

    static func loggedIn() -> IMAPStateMachine {
        var machine = greeted()
        _ = machine.sending(.login(user: "a", password: "b"), tag: "A1")
        _ = machine.responseReceived(ok("A1"))
        return machine
    }

    static func selected() -> IMAPStateMachine {
        var machine = loggedIn()
        _ = machine.sending(.select(.inbox, condStore: false), tag: "A2")
        _ = machine.responseReceived(ok("A2", "READ-WRITE"))
        return machine
    }

    @Test("an OK greeting leads to the not-authenticated state")
    func greetingOK() {
        var machine = IMAPStateMachine()
        #expect(
            machine.greetingReceived(.untagged(.condition(.ok, .init(text: "hi"))))
                == .ready(.init(text: "hi"), preauthenticated: false))
        #expect(machine.state == .notAuthenticated)
    }

    @Test("a PREAUTH greeting leads to the authenticated state")
    func greetingPreauth() {
        var machine = IMAPStateMachine()
        #expect(
            machine.greetingReceived(.untagged(.condition(.preauth, .init(text: "hi"))))
                == .ready(.init(text: "hi"), preauthenticated: true))
        #expect(machine.state == .authenticated)
    }

    @Test("a BYE greeting is a refusal with the server's words")
    func greetingBye() {
        var machine = IMAPStateMachine()
        guard case .fatal(let error) = machine.greetingReceived(.untagged(.condition(.bye, .init(text: "go away"))))
        else {
            Issue.record("not fatal")
            return
        }
        #expect(error.code == .greetingRefused)
        #expect(error.serverText == "go away")
        #expect(machine.state == .closed)
    }

    @Test("a greeting that is not a condition is malformed")
    func greetingGarbage() {
        var machine = IMAPStateMachine()
        #expect(
            machine.greetingReceived(.continuation("x"))
                == .fatal(IMAPError(.malformedResponse, detail: "the greeting is not an untagged OK, PREAUTH or BYE")))
    }

    @Test("SELECT before login is rejected")
    func selectBeforeLogin() {
        var machine = Self.greeted()
        guard case .reject(let error) = machine.sending(.select(.inbox, condStore: false), tag: "A1") else {
            Issue.record("not rejected")
            return
        }
        #expect(error.code == .invalidState)
    }

    @Test("UID FETCH without a selected mailbox is rejected")
    func fetchWithoutSelect() {
        var machine = Self.loggedIn()
        #expect(machine.sending(.uidFetch(.all, [.uid], changedSince: nil), tag: "A2") != .write)
    }

    @Test("LOGIN after login is rejected")
    func loginTwice() {
        var machine = Self.loggedIn()
        #expect(machine.sending(.login(user: "a", password: "b"), tag: "A2") != .write)
    }

    @Test("a LOGIN OK leads to the authenticated state")
    func loginOK() {
        var machine = Self.greeted()
        _ = machine.sending(.login(user: "a", password: "b"), tag: "A1")
        #expect(
            machine.responseReceived(Self.ok("A1"))
                == .completed(.login(user: "a", password: "b"), Self.tagged(Self.ok("A1"))))
        #expect(machine.state == .authenticated)
    }

    @Test("a LOGIN NO fails the command and keeps the state")
    func loginNo() {
        var machine = Self.greeted()
        _ = machine.sending(.login(user: "a", password: "b"), tag: "A1")
        guard case .failed(_, "A1", let error) = machine.responseReceived(Self.no("A1")) else {
            Issue.record("not failed")
            return
        }
        #expect(error.code == .authenticationFailed)
        #expect(machine.state == .notAuthenticated)
    }

    @Test("SELECT OK with READ-WRITE selects read-write")
    func selectOK() {
        #expect(Self.selected().state == .selected(readOnly: false))
    }

    @Test("EXAMINE OK selects read-only")
    func examineOK() {
        var machine = Self.loggedIn()
        _ = machine.sending(.examine(.inbox, condStore: false), tag: "A2")
        _ = machine.responseReceived(Self.ok("A2", "READ-ONLY"))
        #expect(machine.state == .selected(readOnly: true))
    }

    @Test("a failed SELECT leaves no mailbox selected")
    func selectNo() {
        var machine = Self.selected()
        _ = machine.sending(.select(IMAPMailboxName(wire: "nope"), condStore: false), tag: "A3")
        _ = machine.responseReceived(Self.no("A3"))
        #expect(machine.state == .authenticated)
    }

    @Test("a STARTTLS refusal is fatal: never go on in plaintext")
    func startTLSNo() {
        var machine = Self.greeted()
        _ = machine.sending(.startTLS, tag: "A1")
        guard case .fatal(let error) = machine.responseReceived(Self.no("A1")) else {
            Issue.record("not fatal")
            return
        }
        #expect(error.code == .startTLSNotOffered)
    }

    @Test("a STARTTLS OK says to handshake")
    func startTLSOK() {
        var machine = Self.greeted()
        _ = machine.sending(.startTLS, tag: "A1")
        #expect(machine.responseReceived(Self.ok("A1")) == .startTLS)
    }

    @Test("a completion for an unknown tag is fatal")
    func unknownTag() {
        var machine = Self.greeted()
        guard case .fatal = machine.responseReceived(Self.ok("Z9")) else {
            Issue.record("not fatal")
            return
        }
        #expect(machine.state == .closed)
    }

    @Test("a continuation nobody waits for is fatal")
    func strayContinuation() {
        var machine = Self.loggedIn()
        _ = machine.sending(.noop, tag: "A2")
        guard case .fatal = machine.responseReceived(.continuation("go")) else {
            Issue.record("not fatal")
            return
        }
    }

    @Test("a continuation for a synchronizing literal is expected")
    func literalContinuation() {
        var machine = Self.greeted()
        _ = machine.sending(.login(user: "ü", password: "b"), tag: "A1", literalContinuations: 1)
        #expect(machine.responseReceived(.continuation("go")) == .continuation("go"))
    }

    @Test("IDLE's continuation enters the idling state")
    func idleContinuation() {
        var machine = Self.selected()
        _ = machine.sending(.idle, tag: "A3")
        #expect(machine.responseReceived(.continuation("idling")) == .continuation("idling"))
        #expect(machine.state == .idling(readOnly: false))
    }

    @Test("no command may be sent while idling")
    func commandWhileIdling() {
        var machine = Self.selected()
        _ = machine.sending(.idle, tag: "A3")
        _ = machine.responseReceived(.continuation("idling"))
        #expect(machine.sending(.noop, tag: "A4") != .write)
    }

    @Test("IDLE's completion returns to the selected state")
    func idleCompletion() {
        var machine = Self.selected()
        _ = machine.sending(.idle, tag: "A3")
        _ = machine.responseReceived(.continuation("idling"))
        _ = machine.responseReceived(Self.ok("A3"))
        #expect(machine.state == .selected(readOnly: false))
    }

    @Test("an unexpected BYE ends the session with the server's words")
    func bye() {
        var machine = Self.selected()
        guard
            case .fatal(let error) = machine.responseReceived(.untagged(.condition(.bye, .init(text: "shutting down"))))
        else {
            Issue.record("not fatal")
            return
        }
        #expect(error.code == .serverClosed)
        #expect(error.isTransient)
    }

    @Test("BYE after LOGOUT is ordinary data, then the completion logs out")
    func logout() {
        var machine = Self.selected()
        _ = machine.sending(.logout, tag: "A3")
        #expect(
            machine.responseReceived(.untagged(.condition(.bye, .init(text: "bye"))))
                == .data(.condition(.bye, .init(text: "bye"))))
        #expect(machine.responseReceived(Self.ok("A3")) == .loggedOut)
        #expect(machine.state == .closed)
    }

    @Test("nothing may follow LOGOUT")
    func afterLogout() {
        var machine = Self.selected()
        _ = machine.sending(.logout, tag: "A3")
        #expect(machine.sending(.noop, tag: "A4") != .write)
    }

    @Test("pipelined completions are matched by tag, in any order")
    func pipelined() {
        var machine = Self.selected()
        _ = machine.sending(.uidFetch(IMAPUIDSet([1]), [.uid], changedSince: nil), tag: "A3")
        _ = machine.sending(.uidFetch(IMAPUIDSet([2]), [.uid], changedSince: nil), tag: "A4")
        #expect(machine.commandsInFlight == 2)
        guard case .completed(_, let tagged) = machine.responseReceived(Self.ok("A4")) else {
            Issue.record("not completed")
            return
        }
        #expect(tagged.tag == "A4")
        #expect(machine.commandsInFlight == 1)
    }

    @Test("untagged data passes through")
    func data() {
        var machine = Self.selected()
        #expect(machine.responseReceived(.untagged(.exists(4))) == .data(.exists(4)))
    }

    static func tagged(_ response: IMAPResponse) -> IMAPTaggedResponse {
        guard case .tagged(let tagged) = response else { preconditionFailure("not tagged") }
        return tagged
    }
}
