import MailTransport
import Synchronization

/// One session of a ``FakeLMTPServer``: reads command lines with its own parsing, one handler per verb.
final class FakeLMTPSession {
    private let server: FakeLMTPServer
    private let connection: any ServerSideConnection
    private let reader: BufferedReader
    private var faults: [FakeLMTPServer.Fault] { server.configuration.faults }

    private var greeted = false
    private var sender: String?
    private var recipients: [String] = []
    private var messages = 0

    init(server: FakeLMTPServer, connection: any ServerSideConnection) {
        self.server = server
        self.connection = connection
        self.reader = BufferedReader(connection: connection, maximumLineLength: 4096)
    }

    private struct Ended: Error {}

    func run() async {
        do {
            let greeting =
                faults.lazy.compactMap { fault -> String? in
                    if case .greeting(let line) = fault { return line }
                    return nil
                }.first ?? "220 \(server.configuration.hostname) LMTP fake ready"
            try await send(greeting)
            guard greeting.hasPrefix("220") else { return }
            while true { try await handle(String(decoding: try await reader.readLine(), as: UTF8.self)) }
        } catch {
            // QUIT, a fault, the client's close: the session is over.
        }
    }

    private func handle(_ line: String) async throws {
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = String(line.dropFirst(verb.count).drop { $0 == " " })
        server.record.withLock { $0.commands.append(line) }
        if reader.hasBufferedBytes, !server.configuration.offersPipelining {
            server.record.withLock { $0.violations.append(.pipeliningWithoutPermission(verb)) }
        }
        switch verb {
        case "LHLO":
            guard !argument.isEmpty else { return try await send("501 5.5.4 Syntax: LHLO hostname") }
            greeted = true
            reset()
            var lines = ["\(server.configuration.hostname)"]
            if server.configuration.offersPipelining { lines.append("PIPELINING") }
            lines += ["8BITMIME", "ENHANCEDSTATUSCODES"]
            try await send(lines.enumerated().map { "250\($0.offset == lines.count - 1 ? " " : "-")\($0.element)" })
        case "EHLO", "HELO":
            server.record.withLock { $0.violations.append(.smtpGreeting(verb)) }
            try await send("500 5.5.1 This is LMTP: say LHLO")
        case "MAIL":
            guard greeted else { return try await send("503 5.5.1 Say LHLO first") }
            guard sender == nil else { return try await send("503 5.5.1 MAIL already given") }
            guard let address = Self.address(in: argument, after: "FROM:") else {
                return try await send("501 5.5.4 Syntax: MAIL FROM:<address>")
            }
            sender = address
            try await send("250 2.1.0 OK")
        case "RCPT":
            try await rcpt(argument)
        case "DATA":
            try await data()
        case "RSET":
            reset()
            try await send("250 2.0.0 OK")
        case "NOOP":
            try await send("250 2.0.0 OK")
        case "QUIT":
            try await send("221 2.0.0 Bye")
            throw Ended()
        default:
            server.record.withLock { $0.violations.append(.unknownCommand(verb)) }
            try await send("502 5.5.2 Unknown command")
        }
    }

    private func rcpt(_ argument: String) async throws {
        guard sender != nil else { return try await send("503 5.5.1 MAIL first") }
        guard let address = Self.address(in: argument, after: "TO:"), !address.isEmpty else {
            return try await send("501 5.5.4 Syntax: RCPT TO:<address>")
        }
        for case .refuseRecipient(let refused, let line) in faults where refused.lowercased() == address.lowercased() {
            return try await send(line)
        }
        recipients.append(address)
        try await send("250 2.1.5 OK")
    }

    private func data() async throws {
        guard let sender else { return try await send("503 5.5.1 MAIL first") }
        guard !recipients.isEmpty else { return try await send("503 5.5.1 No valid recipients") }
        try await send("354 OK")
        var message: [UInt8] = []
        _ = try await reader.readDotTerminatedBlock(maximumSize: 256 << 20) { chunk in
            message += chunk
            let count = message.count
            self.server.record.withLock { $0.messageBytesInFlight = count }
        }
        server.record.withLock { $0.messageBytesInFlight = 0 }
        if Self.hasBareLineFeed(message) { server.record.withLock { $0.violations.append(.bareLineFeed) } }
        if faults.contains(.closeAfterData) { throw Ended() }
        // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
        var replies: [String] = []
        for recipient in recipients {
            let failure = faults.lazy.compactMap { fault -> String? in
                guard case .failAfterData(let address, let line) = fault, address.lowercased() == recipient.lowercased()
                else { return nil }
                return line
            }.first
            if let failure {
                replies.append(failure)
            } else {
                server.record.withLock {
                    $0.deliveries.append(.init(recipient: recipient, sender: sender, data: message))
                }
                replies.append("250 2.0.0 <\(recipient)> Saved")
            }
        }
        reset()
        try await send(replies)
        messages += 1
        if faults.contains(.closeAfterMessages(messages)) { throw Ended() }
    }

    private func reset() {
        sender = nil
        recipients = []
    }

    /// The address between `<` and `>` after `prefix` (any case), ignoring parameters after it.
    private static func address(in argument: String, after prefix: String) -> String? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count)
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
        return String(rest[rest.index(after: rest.startIndex)..<close])
    }

    private static func hasBareLineFeed(_ data: [UInt8]) -> Bool {
        data.indices.contains { data[$0] == 0x0a && ($0 == 0 || data[$0 - 1] != 0x0d) }
    }

    private func send(_ line: String) async throws { try await send([line]) }

    private func send(_ lines: [String]) async throws {
        try await connection.send(Array(lines.map { $0 + "\r\n" }.joined().utf8))
    }
}
