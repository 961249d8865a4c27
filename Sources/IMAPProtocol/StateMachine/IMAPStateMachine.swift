/// The IMAP session's states and the rules between them, with no I/O (RFC 9051 §3).
///
/// The client tells it what it is about to send and what it received; it answers with what to
/// do next. Several commands may be in flight (RFC 9051 §5.5): completions are matched by tag.
///
/// ```
/// not authenticated --(LOGIN/AUTHENTICATE OK)--> authenticated --(SELECT/EXAMINE OK)--> selected
///        ^ PREAUTH greeting skips to authenticated            selected --(IDLE +)--> idling --(DONE, OK)--> selected
/// any --(LOGOUT OK)--> closed
/// ```
///
/// A server's misbehaviour (a completion with an unknown tag, a continuation nobody waits for,
/// an unexpected BYE) becomes a `.fatal` action; a command sent in the wrong state becomes `.reject`.
struct IMAPStateMachine: Sendable {
    /// Where the session is (RFC 9051 §3).
    enum State: Sendable, Hashable {
        /// Connected; the greeting has not arrived.
        case awaitingGreeting
        /// Greeted, not logged in (RFC 9051 §3.1).
        case notAuthenticated
        /// Logged in, no mailbox selected (RFC 9051 §3.2).
        case authenticated
        /// A mailbox is selected (RFC 9051 §3.3).
        case selected(readOnly: Bool)
        /// IDLE is running (RFC 2177); only `DONE` may be sent.
        case idling(readOnly: Bool?)
        /// The session is over (after LOGOUT, BYE or a failure).
        case closed
    }

    /// What to do after the greeting.
    enum GreetingAction: Sendable, Hashable {
        /// Go on; `preauthenticated` for a PREAUTH greeting (RFC 9051 §7.1.4).
        case ready(IMAPResponseText, preauthenticated: Bool)
        /// The server refused service (BYE) or sent garbage; close.
        case fatal(IMAPError)
    }

    /// Whether a command may be sent now.
    enum SendAction: Sendable, Hashable {
        /// Write it.
        case write
        /// Do not write it: not valid in this state.
        case reject(IMAPError)
    }

    /// What to do with a response.
    enum ResponseAction: Sendable, Hashable {
        /// Untagged data (for the command in flight, or unsolicited).
        case data(IMAPUntaggedResponse)
        /// `+`: send the next literal segment, SASL response, or (IDLE) wait for updates.
        case continuation(String)
        /// `OK` for the command with this tag.
        case completed(IMAPCommand, IMAPTaggedResponse)
        /// `NO` or `BAD` for the command with this tag; the session goes on.
        case failed(IMAPCommand, tag: String, IMAPError)
        /// `OK` to STARTTLS: handshake now, then ask CAPABILITY again (RFC 9051 §6.2.1).
        case startTLS
        /// `OK` to LOGOUT: close.
        case loggedOut
        /// A protocol violation, or the server's BYE: close the session.
        case fatal(IMAPError)
    }

    private struct Pending: Sendable {
        var tag: String
        var command: IMAPCommand
        /// Continuations still owed for synchronizing literals.
        var literalContinuations: Int
    }

    /// The current state.
    private(set) var state: State = .awaitingGreeting
    private var pending: [Pending] = []
    private var logoutQueued = false
    /// The state IDLE's completion returns to (the client's `DONE` ends IDLE, RFC 2177 §3).
    private var stateBeforeIdle: State?

    /// A machine waiting for the greeting.
    init() {}

    /// How many commands wait for their completion.
    var commandsInFlight: Int { pending.count }

    /// The greeting arrived (RFC 9051 §7.1: OK, PREAUTH or BYE).
    mutating func greetingReceived(_ response: IMAPResponse) -> GreetingAction {
        guard state == .awaitingGreeting else { preconditionFailure("greetingReceived called in state \(state)") }
        guard case .untagged(.condition(let status, let text)) = response else {
            state = .closed
            return .fatal(IMAPError(.malformedResponse, detail: "the greeting is not an untagged OK, PREAUTH or BYE"))
        }
        switch status {
        case .ok:
            state = .notAuthenticated
            return .ready(text, preauthenticated: false)
        case .preauth:
            state = .authenticated
            return .ready(text, preauthenticated: true)
        case .bye:
            state = .closed
            return .fatal(
                IMAPError(
                    .greetingRefused, detail: "the server refused service in its greeting", serverText: text.text,
                    responseCode: text.code))
        default:
            state = .closed
            return .fatal(
                IMAPError(.malformedResponse, detail: "a greeting with \(status.rawValue)", serverText: text.text))
        }
    }

    /// The client is about to write `command` with `tag`; `literalContinuations` is how many
    /// synchronizing literals it carries. On `.write` the command waits for its completion.
    mutating func sending(_ command: IMAPCommand, tag: String, literalContinuations: Int = 0) -> SendAction {
        guard !logoutQueued else {
            return .reject(IMAPError(.invalidState, detail: "\(command.verb) after LOGOUT: the session is ending"))
        }
        guard allowed(command) else {
            let place =
                switch state {
                case .awaitingGreeting: "before the greeting"
                case .notAuthenticated: "before login"
                case .authenticated: "without a selected mailbox"
                case .selected: "with a mailbox selected"
                case .idling: "while IDLE runs (send DONE first)"
                case .closed: "after the session ended"
                }
            return .reject(IMAPError(.invalidState, detail: "\(command.verb) is not valid \(place)"))
        }
        switch command {
        case .logout: logoutQueued = true
        case .idle:
            stateBeforeIdle = state
        default: break
        }
        pending.append(Pending(tag: tag, command: command, literalContinuations: literalContinuations))
        return .write
    }

    private func allowed(_ command: IMAPCommand) -> Bool {
        switch (state, command) {
        case (.closed, _), (.awaitingGreeting, _), (.idling, _): false
        case (_, .capability), (_, .noop), (_, .logout), (_, .id): true
        case (.notAuthenticated, .startTLS), (.notAuthenticated, .login), (.notAuthenticated, .authenticate): true
        case (.notAuthenticated, _): false
        case (_, .startTLS), (_, .login), (_, .authenticate): false
        case (.authenticated, .enable): true
        case (_, .list), (_, .status), (_, .select), (_, .examine), (_, .idle): true
        case (.selected, .uidSearch), (.selected, .uidFetch), (.selected, .uidStore), (.selected, .uidExpunge),
            (.selected, .expunge), (.selected, .close):
            true
        default: false
        }
    }

    /// A response arrived.
    mutating func responseReceived(_ response: IMAPResponse) -> ResponseAction {
        switch response {
        case .untagged(.condition(.bye, let text)):
            if logoutQueued { return .data(.condition(.bye, text)) }
            return fail(
                IMAPError(
                    .serverClosed, detail: "the server ended the session", serverText: text.text,
                    responseCode: text.code))
        case .untagged(.condition(.preauth, let text)):
            return fail(IMAPError(.malformedResponse, detail: "PREAUTH after the greeting", serverText: text.text))
        case .untagged(let data):
            return .data(data)
        case .continuation(let text):
            return continuation(text)
        case .tagged(let tagged):
            return completion(tagged)
        }
    }

    private mutating func continuation(_ text: String) -> ResponseAction {
        if let index = pending.firstIndex(where: { $0.literalContinuations > 0 }) {
            pending[index].literalContinuations -= 1
            return .continuation(text)
        }
        guard let last = pending.last else {
            return fail(IMAPError(.malformedResponse, detail: "a continuation nobody waits for", serverText: text))
        }
        switch last.command {
        case .authenticate: return .continuation(text)
        case .idle:
            guard case .idling = state else {
                state = .idling(readOnly: stateBeforeIdle.flatMap(Self.readOnly))
                return .continuation(text)
            }
            return fail(IMAPError(.malformedResponse, detail: "a second continuation during IDLE", serverText: text))
        default:
            return fail(
                IMAPError(.malformedResponse, detail: "a continuation for \(last.command.verb)", serverText: text))
        }
    }

    private static func readOnly(_ state: State) -> Bool? {
        if case .selected(let readOnly) = state { return readOnly }
        return nil
    }

    private mutating func completion(_ tagged: IMAPTaggedResponse) -> ResponseAction {
        guard let index = pending.firstIndex(where: { $0.tag == tagged.tag }) else {
            return fail(
                IMAPError(
                    .malformedResponse, detail: "a completion for a tag nobody sent", serverText: tagged.text.text))
        }
        let command = pending.remove(at: index).command
        if case .idle = command {
            state = stateBeforeIdle ?? state
            stateBeforeIdle = nil
        }
        guard tagged.status == .ok else {
            let error = IMAPError(refusal: tagged.status, text: tagged.text, verb: command.verb)
            switch command {
            case .startTLS:
                // STARTTLS was asked for because the caller requires TLS: never continue in plaintext.
                return fail(error)
            case .select, .examine:
                state = .authenticated
            case .logout:
                return fail(error)
            default: break
            }
            return .failed(command, tag: tagged.tag, error)
        }
        switch command {
        case .login, .authenticate:
            state = .authenticated
        case .select:
            state = .selected(readOnly: tagged.text.code?.name == IMAPResponseCode.readOnly)
        case .examine:
            state = .selected(readOnly: true)
        case .close:
            state = .authenticated
        case .startTLS:
            return .startTLS
        case .logout:
            connectionClosed()
            return .loggedOut
        default: break
        }
        return .completed(command, tagged)
    }

    /// The connection failed or was closed: nothing more can happen.
    mutating func connectionClosed() {
        state = .closed
        pending.removeAll()
        stateBeforeIdle = nil
    }

    private mutating func fail(_ error: IMAPError) -> ResponseAction {
        connectionClosed()
        return .fatal(error)
    }
}
