import MailAuth
import MailTransport

/// One connection to a ``FakePOP3Server``: reads command lines, dispatches each verb to its
/// handler, applies the scripted faults. Owned by the task running ``FakePOP3Server/serve(_:)``.
final class FakePOP3Session {
    /// RFC 1939 §3's session states, as this fake sees them.
    enum Phase {
        case authorization
        case transaction
        case closed
    }

    /// Thrown to end the session (a fault closed the connection, or QUIT).
    struct SessionEnded: Error {}

    let server: FakePOP3Server
    let connection: any ServerSideConnection
    var reader: BufferedReader
    var phase = Phase.authorization
    /// The name given by USER, waiting for PASS.
    var pendingUser: String?
    /// The logged-in user, whose maildrop this session locks.
    var user: String?
    /// The maildrop as it was at login (RFC 1939 §5: numbers are fixed for the session).
    var messages: [FakePOP3Message] = []
    /// Indexes of messages marked deleted.
    var deleted: Set<Int> = []
    /// The APOP timestamp sent in the greeting.
    let timestamp: String
    /// The verb being answered (`"GREETING"` before the first command), for per-verb faults.
    private var currentVerb = "GREETING"
    /// The session's output, closed once a `.dropConnection` fault's budget is spent.
    private lazy var output = FakeServerOutput(connection: connection, faults: configuration.faults) {
        if case .dropConnection(let limit) = $0 { limit } else { nil }
    }

    var configuration: FakePOP3Configuration { server.configuration }

    init(server: FakePOP3Server, connection: any ServerSideConnection) {
        self.server = server
        self.connection = connection
        self.reader = BufferedReader(connection: connection, maximumLineLength: 8192)
        self.timestamp = "<\(UInt32.random(in: 1...UInt32.max)).\(UInt32.random(in: 1...UInt32.max))@fakepop3.test>"
    }

    func run() async {
        defer { end() }
        do {
            if try await applyFaults(verb: "GREETING") { return }
            var greeting = "+OK " + configuration.greeting
            if configuration.offersAPOP { greeting += " " + timestamp }
            try await sendLine(greeting)
            while phase != .closed {
                let line = String(decoding: try await reader.readLine(), as: UTF8.self)
                let (verb, argument) = Self.split(line)
                server.record(Self.redacted(verb: verb, argument: argument))
                currentVerb = verb
                if try await applyFaults(verb: verb) { continue }
                try await handle(verb: verb, argument: argument)
            }
        } catch {
            // The client went away, a fault ended the session, or QUIT: nothing more to do.
        }
    }

    /// Dispatches one command to its handler (one per verb).
    private func handle(verb: String, argument: String) async throws {
        let words = argument.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        switch verb {
        case "CAPA": try await handleCAPA()
        case "STLS": try await handleSTLS()
        case "USER": try await handleUSER(words)
        case "PASS": try await handlePASS(argument)
        case "APOP": try await handleAPOP(words)
        case "AUTH": try await handleAUTH(words)
        case "QUIT": try await handleQUIT()
        case "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET", "NOOP":
            guard phase == .transaction else { return try await sendLine("-ERR \(verb) needs a login first") }
            switch verb {
            case "STAT": try await handleSTAT()
            case "LIST": try await handleLIST(words)
            case "UIDL": try await handleUIDL(words)
            case "RETR": try await handleRETR(words)
            case "TOP": try await handleTOP(words)
            case "DELE": try await handleDELE(words)
            case "RSET": try await handleRSET()
            default: try await sendLine("+OK")
            }
        default:
            try await sendLine("-ERR unknown command \(verb.prefix(20))")
        }
    }

    /// `VERB rest` with the verb upper-cased (RFC 1939 §3: keywords are case-insensitive).
    static func split(_ line: String) -> (String, String) {
        guard let space = line.firstIndex(of: " ") else { return (line.uppercased(), "") }
        return (line[..<space].uppercased(), String(line[line.index(after: space)...]))
    }

    static func redacted(verb: String, argument: String) -> String {
        switch verb {
        case "PASS": return "PASS <redacted>"
        case "APOP": return "APOP \(argument.split(separator: " ").first ?? "") <redacted>"
        case "AUTH":
            let words = argument.split(separator: " ")
            return words.count > 1 ? "AUTH \(words[0]) <redacted>" : "AUTH \(argument)"
        default: return argument.isEmpty ? verb : "\(verb) \(argument)"
        }
    }

    // MARK: - Output

    func sendLine(_ line: String) async throws {
        try await send(Array((line + "\r\n").utf8))
    }

    /// Sends `bytes`, honouring `.slowLoris` and `.dropConnection` faults.
    func send(_ bytes: [UInt8]) async throws {
        for case .slowLoris(let target, let interval) in configuration.faults
        where target == nil || target?.uppercased() == currentVerb {
            for byte in bytes {
                try await output.send([byte])
                try await Task.sleep(for: interval)
            }
            return
        }
        try await output.send(bytes)
    }

    /// Applies the faults scripted for `verb`; returns true when the answer was replaced.
    private func applyFaults(verb: String) async throws -> Bool {
        for fault in configuration.faults {
            switch fault {
            case .delay(let duration, let target) where target == nil || target?.uppercased() == verb:
                try? await Task.sleep(for: duration)
            default: break
            }
        }
        for fault in configuration.faults {
            switch fault {
            case .refuse(let target, let response) where target.uppercased() == verb:
                try await sendLine(response)
                if verb == "GREETING" { throw SessionEnded() }
                return true
            case .malformedLine(let target, let line) where target.uppercased() == verb:
                try await sendLine(line)
                return true
            case .oversizedLine(let target, let length) where target.uppercased() == verb:
                try await sendLine("+OK " + String(repeating: "x", count: max(0, length - 4)))
                return true
            case .endlessResponse(let target) where target.uppercased() == verb:
                try await sendLine("+OK here it comes")
                let chunk = Array(String(repeating: String(repeating: "z", count: 78) + "\r\n", count: 50).utf8)
                while true {
                    try await send(chunk)
                    try await Task.sleep(for: .milliseconds(1))
                }
            case .silent(let target) where target.uppercased() == verb:
                if verb == "GREETING" {
                    // Wait for the client to give up and close.
                    _ = try? await connection.receive(maximumCount: 1)
                    throw SessionEnded()
                }
                return true
            default: continue
            }
        }
        return false
    }

    /// Releases the maildrop (without applying deletions unless QUIT did) and closes.
    private func end() {
        if let user { server.unlock(user) }
        user = nil
        phase = .closed
        connection.close()
    }
}
