import MailAuth
import MailTransport

/// One connection to a ``FakeIMAPServer``: reads commands (with their literals), dispatches each
/// to its handler, applies the scripted faults. Owned by the task running ``FakeIMAPServer/serve(_:)``.
final class FakeIMAPSession {
    /// RFC 9051 §3's states, as this fake sees them.
    enum Phase: Equatable {
        case notAuthenticated
        case authenticated
        case selected(mailbox: String, readOnly: Bool)
        case closed
    }

    /// Thrown to end the session (a fault closed the connection, or LOGOUT).
    struct SessionEnded: Error {}

    /// The longest literal the fake accepts from a client.
    static let maximumLiteral = 16 << 20

    let server: FakeIMAPServer
    let connection: any ServerSideConnection
    var reader: BufferedReader
    var phase = Phase.notAuthenticated
    var user: String?
    /// The message count last told to the client (EXISTS), to announce new mail.
    var announcedCount = 0
    var enabled: Set<String> = []
    /// The session's output, closed once a `.dropConnection` fault's budget is spent.
    private lazy var output = FakeServerOutput(connection: connection, faults: configuration.faults) {
        if case .dropConnection(let limit) = $0 { limit } else { nil }
    }

    var configuration: FakeIMAPConfiguration { server.configuration }

    init(server: FakeIMAPServer, connection: any ServerSideConnection) {
        self.server = server
        self.connection = connection
        self.reader = BufferedReader(connection: connection, maximumLineLength: 65536)
    }

    func run() async {
        defer { end() }
        do {
            if try await applyFaults(command: "GREETING", tag: "*") { return }
            if let preauthenticated = configuration.preauthenticatedUser {
                user = preauthenticated
                phase = .authenticated
                try await sendLine("* PREAUTH \(configuration.greeting)")
            } else if configuration.capabilitiesInGreeting {
                try await sendLine("* OK [CAPABILITY \(capabilityList())] \(configuration.greeting)")
            } else {
                try await sendLine("* OK \(configuration.greeting)")
            }
            while phase != .closed {
                guard let request = try await readRequest() else {
                    try await sendLine("* BAD unparsable command")
                    continue
                }
                server.record(Self.redacted(request))
                if try await applyFaults(command: request.verb, tag: request.tag) { continue }
                try await handle(request)
            }
        } catch {
            // The client went away, a fault ended the session, or LOGOUT: nothing more to do.
        }
    }

    /// Reads one command: a line, and for every literal announced at a line's end its bytes
    /// (after a `+` continuation unless non-synchronizing, RFC 7888) and the line that follows.
    func readRequest() async throws -> FakeIMAPRequest? {
        var pieces = [try await reader.readLine()]
        var literals: [[UInt8]] = []
        while let (size, nonSynchronizing) = FakeIMAPRequest.literalAnnouncement(pieces[pieces.count - 1]) {
            guard size <= Self.maximumLiteral else {
                try await sendLine("* BYE literal too large")
                throw SessionEnded()
            }
            if !nonSynchronizing { try await sendLine("+ Ready for literal data") }
            literals.append(try await reader.readBytes(size))
            pieces.append(try await reader.readLine())
        }
        return FakeIMAPRequest.parse(pieces: pieces, literals: literals)
    }

    /// Dispatches one command to its handler (one per command).
    private func handle(_ request: FakeIMAPRequest) async throws {
        switch request.verb {
        case "CAPABILITY": try await handleCAPABILITY(request)
        case "NOOP": try await handleNOOP(request)
        case "LOGOUT": try await handleLOGOUT(request)
        case "STARTTLS": try await handleSTARTTLS(request)
        case "LOGIN": try await handleLOGIN(request)
        case "AUTHENTICATE": try await handleAUTHENTICATE(request)
        case "ENABLE": try await handleENABLE(request)
        case "ID": try await handleID(request)
        case "LIST", "STATUS", "SELECT", "EXAMINE":
            guard user != nil else { return try await complete(request, "BAD log in first") }
            switch request.verb {
            case "LIST": try await handleLIST(request)
            case "STATUS": try await handleSTATUS(request)
            default: try await handleSELECT(request)
            }
        case "UID SEARCH", "UID FETCH", "UID STORE", "UID EXPUNGE", "EXPUNGE", "CLOSE", "IDLE":
            if request.verb == "IDLE", user != nil, case .authenticated = phase {
                return try await handleIDLE(request)
            }
            guard case .selected = phase else { return try await complete(request, "BAD no mailbox selected") }
            switch request.verb {
            case "UID SEARCH": try await handleSEARCH(request)
            case "UID FETCH": try await handleFETCH(request)
            case "UID STORE": try await handleSTORE(request)
            case "UID EXPUNGE", "EXPUNGE": try await handleEXPUNGE(request)
            case "CLOSE": try await handleCLOSE(request)
            default: try await handleIDLE(request)
            }
        default:
            try await complete(request, "BAD unknown command \(request.verb.prefix(20))")
        }
    }

    /// The capability list for the session's state.
    func capabilityList() -> String {
        var names = ["IMAP4rev1"]
        if configuration.offersSASLIR { names.append("SASL-IR") }
        if let literal = configuration.literalExtension { names.append(literal) }
        if configuration.offersENABLEAndID { names += ["ENABLE", "ID"] }
        if configuration.offersIDLE { names.append("IDLE") }
        if user == nil {
            if configuration.offersStartTLS && !connection.isSecure { names.append("STARTTLS") }
            if configuration.requiresTLSForLogin && !connection.isSecure { names.append("LOGINDISABLED") }
            names += configuration.saslMechanisms.map { "AUTH=\($0)" }
        } else {
            if configuration.offersUIDPLUS { names.append("UIDPLUS") }
            if configuration.offersCONDSTORE { names.append("CONDSTORE") }
            if configuration.offersSpecialUse { names.append("SPECIAL-USE") }
            if configuration.offersUTF8Accept { names.append("UTF8=ACCEPT") }
        }
        return names.joined(separator: " ")
    }

    static func redacted(_ request: FakeIMAPRequest) -> String {
        switch request.verb {
        case "LOGIN": return "\(request.tag) LOGIN \(request.arguments.first?.text ?? "") <redacted>"
        case "AUTHENTICATE":
            let mechanism = request.arguments.first?.text ?? ""
            return "\(request.tag) AUTHENTICATE \(mechanism)\(request.arguments.count > 1 ? " <redacted>" : "")"
        default: return request.firstLine
        }
    }

    // MARK: - Output

    func sendLine(_ line: String) async throws {
        try await send(Array((line + "\r\n").utf8))
    }

    /// Sends the tagged completion `status text` for `request`.
    func complete(_ request: FakeIMAPRequest, _ response: String) async throws {
        try await sendLine("\(request.tag) \(response)")
    }

    /// Sends `bytes`, honouring a `.dropConnection` fault.
    func send(_ bytes: [UInt8]) async throws {
        try await output.send(bytes)
    }

    /// Applies the faults scripted for `command`; returns true when the answer was replaced.
    private func applyFaults(command: String, tag: String) async throws -> Bool {
        for case .delay(let duration, let target) in configuration.faults
        where target == nil || target?.uppercased() == command {
            try? await Task.sleep(for: duration)
        }
        for fault in configuration.faults {
            switch fault {
            case .refuse(let target, let response) where target.uppercased() == command:
                try await sendLine("\(tag) \(response)")
                if command == "GREETING" { throw SessionEnded() }
                return true
            case .malformedLine(let target, let line) where target.uppercased() == command:
                try await sendLine(line)
                return true
            case .untaggedBefore(let target, let line) where target.uppercased() == command:
                try await sendLine(line)
            case .oversizedLine(let target, let length) where target.uppercased() == command:
                try await sendLine("* OK " + String(repeating: "x", count: max(0, length - 5)))
                return true
            case .oversizedLiteral(let target, let size) where target.uppercased() == command:
                try await sendLine("* 1 FETCH (UID 1 BODY[] {\(size)}")
                let chunk = [UInt8](repeating: UInt8(ascii: "z"), count: 4096)
                while true {
                    try await send(chunk)
                    try await Task.sleep(for: .milliseconds(1))
                }
            case .bye(let target, let text) where target.uppercased() == command:
                try await sendLine("* BYE \(text)")
                throw SessionEnded()
            case .silent(let target) where target.uppercased() == command:
                if command == "GREETING" {
                    _ = try? await connection.receive(maximumCount: 1)
                    throw SessionEnded()
                }
                return true
            default: continue
            }
        }
        return false
    }

    private func end() {
        phase = .closed
        connection.close()
    }
}
