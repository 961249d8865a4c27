import MailTransport

/// One SMTP session of a ``FakeSMTPServer``: one handler per verb, its own parsing.
final class FakeSMTPSession {
    private let server: FakeSMTPServer
    private let connection: any ServerSideConnection
    private let reader: BufferedReader
    private var configuration: FakeSMTPServer.Configuration { server.configuration }

    private var greeted = false
    private var authenticatedUser: String?
    private var sender: String?
    private var mailParameters: [String] = []
    private var recipients: [String] = []
    private var commandCount = 0
    /// The BDAT chunks of the current transaction, joined (RFC 3030).
    private var chunkData: [UInt8] = []
    private var chunkCount = 0
    /// Set when a BDAT was refused: the state stays indeterminate until RSET (RFC 3030 §2).
    private var chunkRefused = false

    init(server: FakeSMTPServer, connection: any ServerSideConnection) {
        self.server = server
        self.connection = connection
        self.reader = BufferedReader(connection: connection, maximumLineLength: 4096)
    }

    /// Why the loop ends.
    private enum End: Error { case quit, disconnect }

    func run() async {
        do {
            try await greet()
            while true {
                let line = try await readCommandLine()
                try await handle(line)
            }
        } catch {
            // QUIT, a fault, the client's close or a transport error: the session is over.
        }
    }

    private func greet() async throws {
        for case .greeting(let line) in configuration.faults {
            try await reply(line)
            if !line.hasPrefix("220") { throw End.disconnect }
            return
        }
        try await reply("220 \(configuration.hostname) ESMTP fake ready")
    }

    private func readCommandLine() async throws -> [UInt8] {
        try await reader.readLine()
    }

    private func handle(_ lineBytes: [UInt8]) async throws {
        commandCount += 1
        for case .disconnect(let count) in configuration.faults where commandCount > count { throw End.disconnect }
        let line = String(decoding: lineBytes, as: UTF8.self)
        let verb = String(line.prefix { $0 != " " }).uppercased()
        let argument = line.count > verb.count ? String(line.dropFirst(verb.count + 1)) : ""
        server.note(command: verb == "AUTH" ? "AUTH " + String(argument.prefix { $0 != " " }) : line)
        // BDAT's octets follow its line at once, whatever the server answers (RFC 3030 §2).
        if verb == "BDAT" { return try await bdat(argument) }
        if reader.hasBufferedBytes, !configuration.offersPipelining {
            // Bytes after this command arrived before its reply: the client sent ahead.
            server.note(.pipeliningWithoutPermission(verb))
        }
        if chunkRefused, !["RSET", "EHLO", "HELO", "QUIT"].contains(verb) {
            server.note(.noResetAfterRefusedChunk(verb))
        }
        for case .reply(let faultVerb, let replyLine) in configuration.faults where faultVerb.uppercased() == verb {
            try await reply(replyLine)
            return
        }
        switch verb {
        case "EHLO": try await ehlo(argument)
        case "HELO": try await helo(argument)
        case "STARTTLS": try await startTLS()
        case "AUTH": try await auth(argument)
        case "MAIL": try await mail(argument)
        case "RCPT": try await rcpt(argument)
        case "DATA": try await data()
        case "RSET":
            resetTransaction()
            try await reply("250 2.0.0 Ok")
        case "NOOP": try await reply("250 2.0.0 Ok")
        case "QUIT":
            try await reply("221 2.0.0 Bye")
            throw End.quit
        default:
            server.note(.unknownCommand(verb))
            try await reply("502 5.5.2 Error: command not recognized")
        }
    }

    // MARK: Verbs

    private func ehlo(_ domain: String) async throws {
        guard configuration.supportsEHLO else { return try await reply("502 5.5.2 Error: command not recognized") }
        guard !domain.isEmpty else { return try await reply("501 5.5.4 Syntax: EHLO hostname") }
        greeted = true
        resetTransaction()
        var lines = ["\(configuration.hostname) greets \(domain)"]
        if configuration.offersPipelining { lines.append("PIPELINING") }
        if let size = configuration.maximumMessageSize { lines.append("SIZE \(size)") }
        if configuration.offers8BitMIME { lines.append("8BITMIME") }
        if configuration.offersSMTPUTF8 { lines.append("SMTPUTF8") }
        lines.append("ENHANCEDSTATUSCODES")
        if !connection.isSecure, configuration.offersStartTLS { lines.append("STARTTLS") }
        if configuration.offersChunking { lines.append("CHUNKING") }
        if !configuration.authenticationMechanisms.isEmpty,
            connection.isSecure || configuration.offersAuthenticationInPlaintext
        {
            lines.append("AUTH " + configuration.authenticationMechanisms.joined(separator: " "))
        }
        try await reply(code: 250, lines)
    }

    private func helo(_ domain: String) async throws {
        guard !domain.isEmpty else { return try await reply("501 5.5.4 Syntax: HELO hostname") }
        greeted = true
        resetTransaction()
        try await reply("250 \(configuration.hostname)")
    }

    private func startTLS() async throws {
        guard !connection.isSecure, configuration.offersStartTLS else {
            return try await reply("502 5.5.1 STARTTLS not available")
        }
        try await reply("220 2.0.0 Ready to start TLS")
        if reader.hasBufferedBytes {
            server.note(.dataAfterStartTLS)
            throw End.disconnect
        }
        try await connection.acceptTLS()
        // RFC 3207 §4.2: the session starts over.
        greeted = false
        authenticatedUser = nil
        resetTransaction()
    }

    private func auth(_ argument: String) async throws {
        for case .authenticationReply(let line) in configuration.faults { return try await reply(line) }
        guard greeted else { return try await reply("503 5.5.1 Error: send EHLO first") }
        guard authenticatedUser == nil else { return try await reply("503 5.5.1 Error: already authenticated") }
        guard connection.isSecure || configuration.offersAuthenticationInPlaintext else {
            return try await reply("538 5.7.11 Encryption required for requested authentication mechanism")
        }
        let words = argument.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard let name = words.first, !name.isEmpty, words.count <= 2,
            configuration.authenticationMechanisms.contains(where: { $0.uppercased() == name.uppercased() }),
            var mechanism = configuration.accounts.makeMechanism(named: name)
        else { return try await reply("504 5.5.4 Unrecognized authentication type") }
        var initial: [UInt8]?
        if words.count == 2 {
            guard let decoded = FakeBase64.decode(words[1] == "=" ? "" : words[1]) else {
                return try await reply("501 5.5.2 Cannot decode response")
            }
            initial = decoded
        }
        var step = mechanism.start(initialResponse: initial)
        while true {
            switch step {
            case .success(let user):
                authenticatedUser = user
                return try await reply("235 2.7.0 Authentication successful")
            case .failure:
                return try await reply("535 5.7.8 Error: authentication failed")
            case .challenge(let challenge):
                try await reply("334 " + FakeBase64.encode(challenge))
                let response = String(decoding: try await reader.readLine(), as: UTF8.self)
                if response == "*" { return try await reply("501 5.7.0 Authentication cancelled") }
                guard let decoded = FakeBase64.decode(response) else {
                    return try await reply("501 5.5.2 Cannot decode response")
                }
                step = mechanism.respond(decoded)
            }
        }
    }

    private func mail(_ argument: String) async throws {
        guard greeted else { return try await reply("503 5.5.1 Error: send HELO/EHLO first") }
        guard !chunkRefused else { return try await reply("503 5.5.1 Error: send RSET after a refused BDAT") }
        guard sender == nil else { return try await reply("503 5.5.1 Error: nested MAIL command") }
        if configuration.requiresAuthentication, authenticatedUser == nil {
            return try await reply("530 5.7.0 Authentication required")
        }
        guard let (address, parameters) = Self.parsePath(argument, prefix: "FROM:") else {
            return try await reply("501 5.5.4 Syntax: MAIL FROM:<address>")
        }
        for case .refuseSender(let refused, let line) in configuration.faults
        where refused.lowercased() == address.lowercased() {
            return try await reply(line)
        }
        for parameter in parameters {
            let upper = parameter.uppercased()
            if upper.hasPrefix("SIZE="), let limit = configuration.maximumMessageSize,
                let size = Int(parameter.dropFirst(5)), size > limit
            {
                return try await reply("552 5.3.4 Message size exceeds fixed limit")
            }
        }
        sender = address
        mailParameters = parameters
        try await reply("250 2.1.0 Ok")
    }

    private func rcpt(_ argument: String) async throws {
        guard sender != nil else { return try await reply("503 5.5.1 Error: need MAIL command") }
        guard let (address, _) = Self.parsePath(argument, prefix: "TO:"), !address.isEmpty else {
            return try await reply("501 5.5.4 Syntax: RCPT TO:<address>")
        }
        for case .refuseRecipient(let refused, let line) in configuration.faults
        where refused.lowercased() == address.lowercased() {
            return try await reply(line)
        }
        recipients.append(address)
        try await reply("250 2.1.5 Ok")
    }

    private func data() async throws {
        guard let sender else { return try await reply("503 5.5.1 Error: need MAIL command") }
        guard !recipients.isEmpty else { return try await reply("554 5.5.1 Error: no valid recipients") }
        guard chunkCount == 0 else { return try await reply("503 5.5.1 Error: DATA after BDAT") }
        try await reply("354 End data with <CR><LF>.<CR><LF>")
        let limit = configuration.maximumMessageSize ?? Int.max
        let data: [UInt8]
        do {
            data = try await reader.readDotTerminatedBlock(maximumSize: limit)
        } catch let error as TransportError where error.code == .responseTooLarge {
            try await reply("552 5.3.4 Message size exceeds fixed limit")
            throw End.disconnect
        }
        if Self.hasBareLineFeed(data) { server.note(.bareLineFeed) }
        let received = FakeSMTPServer.ReceivedMessage(
            sender: sender, mailParameters: mailParameters, recipients: recipients, data: data, chunkCount: 0,
            authenticatedUser: authenticatedUser, wasSecure: connection.isSecure)
        resetTransaction()
        if let line = refusal(of: data) { return try await reply(line) }
        server.note(message: received)
        if configuration.faults.contains(.silentAfterData) {
            // Hold the connection open, answering nothing, until the client gives up.
            while try await connection.receive(maximumCount: 4096) != nil {}
            throw End.disconnect
        }
        try await reply("250 2.0.0 Ok: queued as FAKE\(server.receivedMessages.count)")
    }

    /// `BDAT size [LAST]` (RFC 3030 §2): reads the chunk first, then answers. A refused chunk
    /// is discarded, and so is every later one until RSET.
    private func bdat(_ argument: String) async throws {
        let words = argument.split(separator: " ").map { String($0) }
        guard let size = words.first.flatMap({ Int($0) }), size >= 0, words.count <= 2,
            words.count == 1 || words[1].uppercased() == "LAST"
        else {
            // Without a size the data cannot be told from the next command: end the session.
            try await reply("501 5.5.4 Syntax: BDAT size [LAST]")
            throw End.disconnect
        }
        let last = words.count == 2
        let limit = configuration.maximumMessageSize ?? Int.max
        let fits = configuration.offersChunking && size <= limit - chunkData.count
        let chunk = try await readChunk(size, keep: fits)
        guard configuration.offersChunking else {
            return try await reply("502 5.5.2 Error: command not recognized")
        }
        for case .reply(let faultVerb, let line) in configuration.faults where faultVerb.uppercased() == "BDAT" {
            if !line.hasPrefix("2") { chunkRefused = true }
            return try await reply(line)
        }
        if chunkRefused { return try await reply("503 5.5.1 Error: discarded after a refused BDAT") }
        let refusedChunk: String? =
            if sender == nil { "503 5.5.1 Error: need MAIL command" } else if recipients.isEmpty {
                "554 5.5.1 Error: no valid recipients"
            } else if !fits { "552 5.3.4 Message size exceeds fixed limit" } else { nil }
        if let refusedChunk {
            chunkRefused = true
            return try await reply(refusedChunk)
        }
        chunkData += chunk
        chunkCount += 1
        guard last else { return try await reply("250 2.0.0 Ok: \(size) octets") }
        if Self.hasBareLineFeed(chunkData) { server.note(.bareLineFeed) }
        let received = FakeSMTPServer.ReceivedMessage(
            sender: sender ?? "", mailParameters: mailParameters, recipients: recipients, data: chunkData,
            chunkCount: chunkCount, authenticatedUser: authenticatedUser, wasSecure: connection.isSecure)
        resetTransaction()
        if let line = refusal(of: received.data) {
            chunkRefused = true
            return try await reply(line)
        }
        server.note(message: received)
        try await reply("250 2.0.0 Ok: queued as FAKE\(server.receivedMessages.count)")
    }

    /// Reads `size` octets; keeps them only when `keep`, else discards them piecewise.
    private func readChunk(_ size: Int, keep: Bool) async throws -> [UInt8] {
        if keep { return try await reader.readBytes(size) }
        var remaining = size
        while remaining > 0 {
            let piece = min(remaining, 65536)
            _ = try await reader.readBytes(piece)
            remaining -= piece
        }
        return []
    }

    // MARK: Helpers

    /// The reply line a `.refuseMessage` or `.refuseMessageContaining` fault gives `data`, if any.
    private func refusal(of data: [UInt8]) -> String? {
        for fault in configuration.faults {
            switch fault {
            case .refuseMessage(let line): return line
            case .refuseMessageContaining(let marker, let line):
                let needle = Array(marker.utf8)
                guard !needle.isEmpty, data.count >= needle.count else { continue }
                for start in 0...(data.count - needle.count)
                where data[start..<start + needle.count].elementsEqual(needle) {
                    return line
                }
            default: continue
            }
        }
        return nil
    }

    private func resetTransaction() {
        sender = nil
        mailParameters = []
        recipients = []
        chunkData = []
        chunkCount = 0
        chunkRefused = false
    }

    /// Parses `FROM:<address> PARAM=x …` (prefix compared case-insensitively).
    static func parsePath(_ argument: String, prefix: String) -> (String, [String])? {
        guard argument.uppercased().hasPrefix(prefix) else { return nil }
        let rest = argument.dropFirst(prefix.count).drop { $0 == " " }
        guard rest.first == "<", let close = rest.firstIndex(of: ">") else { return nil }
        let address = String(rest[rest.index(after: rest.startIndex)..<close])
        guard !address.contains("<") else { return nil }
        let parameters = rest[rest.index(after: close)...].split(separator: " ").map(String.init)
        return (address, parameters)
    }

    static func hasBareLineFeed(_ data: [UInt8]) -> Bool {
        for index in data.indices where data[index] == 0x0a {
            if index == 0 || data[index - 1] != 0x0d { return true }
        }
        for index in data.indices where data[index] == 0x0d {
            if index + 1 == data.count || data[index + 1] != 0x0a { return true }
        }
        return false
    }

    private func reply(_ line: String) async throws {
        try await send(Array((line + "\r\n").utf8))
    }

    /// Sends `bytes`, one at a time under a `.slowLoris` fault.
    private func send(_ bytes: [UInt8]) async throws {
        for case .slowLoris(let interval) in configuration.faults {
            for byte in bytes {
                try await connection.send([byte])
                try await Task.sleep(for: interval)
            }
            return
        }
        try await connection.send(bytes)
    }

    private func reply(code: Int, _ lines: [String]) async throws {
        var text = ""
        for (index, line) in lines.enumerated() {
            text += "\(code)\(index == lines.count - 1 ? " " : "-")\(line)\r\n"
        }
        try await send(Array(text.utf8))
    }
}
