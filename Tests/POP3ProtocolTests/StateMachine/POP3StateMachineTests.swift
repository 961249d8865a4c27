import Testing

@testable import POP3Protocol

@Suite("POP3StateMachine")
struct POP3StateMachineTests {
    private static let ok = POP3Response(status: .ok)
    private static let err = POP3Response(status: .error, text: "no")

    private func greeted() -> POP3StateMachine {
        var machine = POP3StateMachine()
        _ = machine.greetingReceived(Self.ok)
        return machine
    }

    private func loggedIn() -> POP3StateMachine {
        var machine = greeted()
        _ = machine.sending(.user("a")); _ = machine.responseReceived(Self.ok)
        _ = machine.sending(.pass("b")); _ = machine.responseReceived(Self.ok)
        return machine
    }

    @Test("a +OK greeting enters AUTHORIZATION")
    func greeting() {
        var machine = POP3StateMachine()
        #expect(machine.greetingReceived(POP3Response(status: .ok, text: "hi <1@x>")) == .ready(POP3Greeting(text: "hi <1@x>")))
        #expect(machine.state == .authorization)
    }

    @Test("a -ERR greeting is fatal") func greetingRefused() {
        var machine = POP3StateMachine()
        guard case .fatal(let error) = machine.greetingReceived(Self.err) else { Issue.record("not fatal"); return }
        #expect(error.code == .greetingRefused)
        #expect(machine.state == .closed)
    }

    @Test("PASS +OK enters TRANSACTION") func login() { #expect(loggedIn().state == .transaction) }

    @Test("RETR before login is rejected") func retrBeforeLogin() {
        var machine = greeted()
        guard case .reject(let error) = machine.sending(.retr(1)) else { Issue.record("not rejected"); return }
        #expect(error.code == .invalidState)
    }

    @Test("USER after login is rejected") func userAfterLogin() {
        var machine = loggedIn()
        #expect(machine.sending(.user("x")) != .write)
    }

    @Test("STLS after login is rejected") func stlsAfterLogin() {
        var machine = loggedIn()
        #expect(machine.sending(.stls) != .write)
    }

    @Test("-ERR to PASS stays in AUTHORIZATION with an authentication error") func badPassword() {
        var machine = greeted()
        _ = machine.sending(.pass("x"))
        #expect(machine.responseReceived(Self.err) == .failed(POP3Error(refusal: Self.err, to: .pass("x"))))
        #expect(machine.state == .authorization)
    }

    @Test("+OK to RETR asks for a block") func retrBlock() {
        var machine = loggedIn()
        _ = machine.sending(.retr(1))
        #expect(machine.responseReceived(Self.ok) == .readBlock(Self.ok))
    }

    @Test("+OK to DELE completes") func dele() {
        var machine = loggedIn()
        _ = machine.sending(.dele(1))
        #expect(machine.responseReceived(Self.ok) == .complete(Self.ok))
    }

    @Test("pipelined answers are matched to commands in order") func pipelined() {
        var machine = loggedIn()
        _ = machine.sending(.dele(1)); _ = machine.sending(.retr(2))
        #expect(machine.commandsInFlight == 2)
        #expect(machine.responseReceived(Self.ok) == .complete(Self.ok))
        #expect(machine.responseReceived(Self.ok) == .readBlock(Self.ok))
    }

    @Test("QUIT +OK from TRANSACTION commits the UPDATE state") func quitCommits() {
        var machine = loggedIn()
        _ = machine.sending(.quit)
        #expect(machine.responseReceived(Self.ok) == .quitCompleted(committed: true))
        #expect(machine.state == .closed)
    }

    @Test("QUIT +OK from AUTHORIZATION commits nothing") func quitBeforeLogin() {
        var machine = greeted()
        _ = machine.sending(.quit)
        #expect(machine.responseReceived(Self.ok) == .quitCompleted(committed: false))
    }

    @Test("QUIT -ERR is an update failure and closes") func quitFails() {
        var machine = loggedIn()
        _ = machine.sending(.quit)
        guard case .failed(let error) = machine.responseReceived(Self.err) else { Issue.record("not failed"); return }
        #expect(error.code == .updateFailed)
        #expect(machine.state == .closed)
    }

    @Test("nothing may follow QUIT") func afterQuit() {
        var machine = loggedIn()
        _ = machine.sending(.quit)
        #expect(machine.sending(.noop) != .write)
    }

    @Test("STLS +OK asks for the handshake") func stls() {
        var machine = greeted()
        _ = machine.sending(.stls)
        #expect(machine.responseReceived(Self.ok) == .startTLS)
    }

    @Test("STLS -ERR is fatal: never continue in plaintext") func stlsRefused() {
        var machine = greeted()
        _ = machine.sending(.stls)
        guard case .fatal(let error) = machine.responseReceived(Self.err) else { Issue.record("not fatal"); return }
        #expect(error.code == .stlsNotOffered)
        #expect(machine.state == .closed)
    }

    @Test("a continuation to AUTH is a challenge") func challenge() {
        var machine = greeted()
        _ = machine.sending(.auth(mechanism: "LOGIN", initialResponse: nil))
        #expect(machine.responseReceived(POP3Response(status: .continuation, text: "VXNlcm5hbWU6")) == .challenge("VXNlcm5hbWU6"))
    }

    @Test("+OK to a SASL response enters TRANSACTION") func saslDone() {
        var machine = greeted()
        _ = machine.sending(.saslResponse("x"))
        #expect(machine.responseReceived(Self.ok) == .complete(Self.ok))
        #expect(machine.state == .transaction)
    }

    @Test("a continuation outside AUTH is fatal") func strayContinuation() {
        var machine = loggedIn()
        _ = machine.sending(.stat)
        guard case .fatal = machine.responseReceived(POP3Response(status: .continuation)) else { Issue.record("not fatal"); return }
        #expect(machine.state == .closed)
    }

    @Test("an answer nobody asked for is fatal") func unsolicited() {
        var machine = loggedIn()
        guard case .fatal(let error) = machine.responseReceived(Self.ok) else { Issue.record("not fatal"); return }
        #expect(error.code == .malformedResponse)
    }

    @Test("[IN-USE] to PASS is typed as in use") func inUse() {
        var machine = greeted()
        _ = machine.sending(.pass("x"))
        guard case .failed(let error) = machine.responseReceived(POP3Response(status: .error, code: .inUse, text: "locked")) else {
            Issue.record("not failed"); return
        }
        #expect(error.code == .inUse)
        #expect(error.serverText == "locked")
    }
}
