/// The POP3 session's states and the rules between them, with no I/O (RFC 1939 §3).
///
/// The client tells it what it is about to send and what it received; it answers with what to
/// do next. Commands may be queued before their answers arrive (pipelining, RFC 2449 §6.6):
/// answers are matched to commands in order.
///
/// ```
/// AUTHORIZATION --(PASS/APOP/AUTH +OK)--> TRANSACTION --(QUIT)--> UPDATE --> closed
/// ```
///
/// A server's misbehaviour (an answer nobody asked for, a continuation outside AUTH) becomes a
/// `.fatal` action; a command sent in the wrong state becomes `.reject`.
struct POP3StateMachine: Sendable {
    /// Where the session is.
    enum State: Sendable, Hashable {
        /// Connected; the greeting has not arrived.
        case awaitingGreeting
        /// Greeted; not logged in (RFC 1939 §4).
        case authorization
        /// Logged in; the maildrop is locked for this session (RFC 1939 §5).
        case transaction
        /// QUIT was sent from TRANSACTION: the server is removing deleted messages (RFC 1939 §6).
        case update
        /// The session is over (after QUIT, or after a failure).
        case closed
    }

    /// What to do after the greeting.
    enum GreetingAction: Sendable, Hashable {
        /// Go on: the server is ready.
        case ready(POP3Greeting)
        /// The server refused service or sent garbage; close.
        case fatal(POP3Error)
    }

    /// Whether a command may be sent now.
    enum SendAction: Sendable, Hashable {
        /// Write it.
        case write
        /// Do not write it: not valid in this state.
        case reject(POP3Error)
    }

    /// What to do with a response line.
    enum ResponseAction: Sendable, Hashable {
        /// A single-line `+OK`: the command is complete.
        case complete(POP3Response)
        /// `+OK` to a multi-line command: read the dot-terminated block, then call ``blockReceived()``.
        case readBlock(POP3Response)
        /// `+OK` to STLS: perform the TLS handshake now, then ask CAPA again.
        case startTLS
        /// A SASL challenge (RFC 5034 §4): answer with a `.saslResponse`.
        case challenge(String)
        /// `+OK` to QUIT; `committed` is true when the server left the UPDATE state having
        /// removed the messages marked deleted. Close.
        case quitCompleted(committed: Bool)
        /// `-ERR`: the command failed; the session goes on (unless the state is now `.closed`).
        case failed(POP3Error)
        /// A protocol violation: close the session.
        case fatal(POP3Error)
    }

    /// The current state.
    private(set) var state: State = .awaitingGreeting
    /// Commands written whose answers have not been read, oldest first.
    private var pending: [POP3Command] = []
    private var pendingHead = 0
    /// Whether a multi-line block is being read.
    private var awaitingBlock = false
    /// Whether QUIT has been queued (nothing may follow it).
    private var quitQueued = false

    /// A machine waiting for the greeting.
    init() {}

    /// How many commands are waiting for their answers.
    var commandsInFlight: Int { pending.count - pendingHead }

    /// The greeting line arrived.
    mutating func greetingReceived(_ response: POP3Response) -> GreetingAction {
        guard state == .awaitingGreeting else {
            preconditionFailure("greetingReceived called in state \(state)")
        }
        switch response.status {
        case .ok:
            state = .authorization
            return .ready(POP3Greeting(text: response.text))
        case .error:
            state = .closed
            return .fatal(POP3Error(.greetingRefused, detail: "the server refused service in its greeting",
                                    serverText: response.text, responseCode: response.code))
        case .continuation:
            state = .closed
            return .fatal(POP3Error(.malformedResponse, detail: "the greeting is a continuation line", serverText: response.text))
        }
    }

    /// The client is about to write `command`; on `.write` the command is queued for its answer.
    mutating func sending(_ command: POP3Command) -> SendAction {
        guard !quitQueued else {
            return .reject(POP3Error(.invalidState, detail: "\(command.verb) after QUIT: the session is ending"))
        }
        let allowed: Bool
        switch (state, command) {
        case (.authorization, .user), (.authorization, .pass), (.authorization, .apop), (.authorization, .auth),
            (.authorization, .stls), (.authorization, .capa), (.authorization, .quit):
            allowed = true
        case (.authorization, .saslResponse):
            allowed = true
        case (.transaction, .stat), (.transaction, .list), (.transaction, .uidl), (.transaction, .retr),
            (.transaction, .top), (.transaction, .dele), (.transaction, .rset), (.transaction, .noop),
            (.transaction, .capa), (.transaction, .quit):
            allowed = true
        default:
            allowed = false
        }
        guard allowed else {
            let place = switch state {
            case .awaitingGreeting: "before the greeting"
            case .authorization: "before login (AUTHORIZATION state)"
            case .transaction: "after login (TRANSACTION state)"
            case .update, .closed: "after the session ended"
            }
            return .reject(POP3Error(.invalidState, detail: "\(command.verb.isEmpty ? "a SASL response" : command.verb) is not valid \(place)"))
        }
        if case .quit = command { quitQueued = true }
        pending.append(command)
        return .write
    }

    /// A response line arrived for the oldest pending command.
    mutating func responseReceived(_ response: POP3Response) -> ResponseAction {
        guard !awaitingBlock else { preconditionFailure("responseReceived while a block is being read") }
        guard pendingHead < pending.count else {
            return fail(POP3Error(.malformedResponse, detail: "a response arrived that no command asked for", serverText: response.text))
        }
        let command = pending[pendingHead]
        pendingHead += 1
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
        switch response.status {
        case .continuation:
            switch command {
            case .auth, .saslResponse: return .challenge(response.text)
            default:
                return fail(POP3Error(.malformedResponse, detail: "a SASL continuation answered \(command.verb)", serverText: response.text))
            }
        case .error:
            let error = POP3Error(refusal: response, to: command)
            if case .quit = command {
                state = .closed
            } else if case .stls = command {
                // STLS was asked for because the caller requires TLS: never continue in plaintext.
                return fail(error)
            }
            return .failed(error)
        case .ok:
            switch command {
            case .pass, .apop, .auth, .saslResponse:
                state = .transaction
                return .complete(response)
            case .stls:
                return .startTLS
            case .quit:
                let committed = state == .transaction
                state = .closed
                return .quitCompleted(committed: committed)
            default:
                if command.hasMultiLineResponse {
                    awaitingBlock = true
                    return .readBlock(response)
                }
                return .complete(response)
            }
        }
    }

    /// The dot-terminated block announced by `.readBlock` was read completely.
    mutating func blockReceived() {
        precondition(awaitingBlock, "blockReceived without a block being read")
        awaitingBlock = false
    }

    /// The connection failed or was closed: nothing more can happen.
    mutating func connectionClosed() {
        state = .closed
        pending.removeAll()
        pendingHead = 0
        awaitingBlock = false
    }

    private mutating func fail(_ error: POP3Error) -> ResponseAction {
        connectionClosed()
        return .fatal(error)
    }
}
