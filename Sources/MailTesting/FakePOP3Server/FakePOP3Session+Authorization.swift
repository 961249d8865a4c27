import MailAuth
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The AUTHORIZATION state's handlers: CAPA, STLS, USER, PASS, APOP, AUTH, QUIT.
extension FakePOP3Session {
    func handleCAPA() async throws {
        guard configuration.supportsCAPA else { return try await sendLine("-ERR unknown command CAPA") }
        var lines = ["+OK Capability list follows"]
        if configuration.offersTOPAndUIDL { lines += ["TOP", "UIDL"] }
        if configuration.offersUSER { lines.append("USER") }
        if configuration.offersResponseCodes { lines += ["RESP-CODES", "AUTH-RESP-CODE"] }
        if configuration.offersPipelining { lines.append("PIPELINING") }
        if !configuration.saslMechanisms.isEmpty {
            lines.append("SASL " + configuration.saslMechanisms.joined(separator: " "))
        }
        if configuration.offersSTLS && !connection.isSecure && phase == .authorization { lines.append("STLS") }
        if let delay = configuration.loginDelay { lines.append("LOGIN-DELAY \(delay)") }
        if let expire = configuration.expire { lines.append("EXPIRE \(expire)") }
        lines += ["IMPLEMENTATION \(configuration.implementation)", "."]
        try await send(Array(lines.map { $0 + "\r\n" }.joined().utf8))
    }

    func handleSTLS() async throws {
        guard configuration.offersSTLS, !connection.isSecure, phase == .authorization else {
            return try await sendLine("-ERR STLS not available")
        }
        try await sendLine("+OK Begin TLS negotiation")
        try await connection.acceptTLS()
        // RFC 2595 §4: anything the client sent before the handshake is discarded.
        reader = BufferedReader(connection: connection, maximumLineLength: 8192)
    }

    func handleUSER(_ words: [String]) async throws {
        guard phase == .authorization, configuration.offersUSER else {
            return try await sendLine("-ERR USER not available")
        }
        guard try await cleartextPermitted() else { return }
        guard let name = words.first else { return try await sendLine("-ERR USER needs a name") }
        pendingUser = name
        try await sendLine("+OK send PASS")
    }

    func handlePASS(_ password: String) async throws {
        guard phase == .authorization, let name = pendingUser else { return try await sendLine("-ERR USER first") }
        pendingUser = nil
        guard server.accounts.passwords[name] == password else {
            return try await sendLine("-ERR [AUTH] invalid user name or password")
        }
        try await logIn(name)
    }

    func handleAPOP(_ words: [String]) async throws {
        guard phase == .authorization, configuration.offersAPOP else {
            return try await sendLine("-ERR APOP not available")
        }
        guard words.count == 2 else { return try await sendLine("-ERR APOP needs a name and a digest") }
        let expected = server.accounts.passwords[words[0]].map { HexEncoding.encode(MD5.hash(timestamp + $0)) }
        guard let expected, expected == words[1].lowercased() else {
            return try await sendLine("-ERR [AUTH] authentication failed")
        }
        try await logIn(words[0])
    }

    func handleAUTH(_ words: [String]) async throws {
        guard phase == .authorization else { return try await sendLine("-ERR already logged in") }
        guard let name = words.first?.uppercased(),
            configuration.saslMechanisms.map({ $0.uppercased() }).contains(name),
            var mechanism = server.accounts.makeMechanism(named: name)
        else { return try await sendLine("-ERR unsupported SASL mechanism") }
        if ["PLAIN", "LOGIN", "XOAUTH2"].contains(name), !(try await cleartextPermitted()) { return }
        var initial: [UInt8]?
        if words.count > 1 {
            guard let decoded = Self.decodeBase64(words[1]) else { return try await sendLine("-ERR invalid base64") }
            initial = decoded
        }
        var step = mechanism.start(initialResponse: initial)
        while true {
            switch step {
            case .challenge(let bytes):
                try await sendLine("+ " + Data(bytes).base64EncodedString())
                let line = String(decoding: try await reader.readLine(), as: UTF8.self)
                server.record("<SASL response>")
                if line == "*" { return try await sendLine("-ERR authentication cancelled") }
                guard let decoded = Self.decodeBase64(line) else { return try await sendLine("-ERR invalid base64") }
                step = mechanism.respond(decoded)
            case .success(let user):
                return try await logIn(user)
            case .failure:
                return try await sendLine("-ERR [AUTH] authentication failed")
            }
        }
    }

    func handleQUIT() async throws {
        if phase == .transaction, let user {
            // UPDATE state (RFC 1939 §6): remove what was marked, then release the maildrop.
            // By position, not by id: two messages may share an id on a broken server, and only
            // the one marked may go.
            server.remove(indexes: deleted, from: user)
            try await sendLine("+OK \(deleted.count) messages deleted, bye")
        } else {
            try await sendLine("+OK bye")
        }
        phase = .closed
        throw SessionEnded()
    }

    /// Takes the maildrop lock and enters TRANSACTION, or answers `[IN-USE]`.
    private func logIn(_ name: String) async throws {
        guard server.lock(name) else {
            return try await sendLine("-ERR [IN-USE] maildrop already locked by another session")
        }
        user = name
        messages = server.messages(of: name)
        deleted = []
        phase = .transaction
        try await sendLine("+OK \(name) has \(messages.count) messages")
    }

    /// Refuses cleartext login before TLS when the configuration says so.
    private func cleartextPermitted() async throws -> Bool {
        guard configuration.requiresTLSForLogin, !connection.isSecure else { return true }
        try await sendLine("-ERR [AUTH] Plaintext authentication disallowed on non-secure connections")
        return false
    }

    /// Base64 as the fake decodes it; `=` alone is the empty initial response (RFC 5034 §4).
    static func decodeBase64(_ text: String) -> [UInt8]? {
        if text == "=" || text.isEmpty { return [] }
        return Data(base64Encoded: text).map { Array($0) }
    }
}
