import MailAuth
import MailTransport

/// The handlers valid in any state and before login: CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN,
/// AUTHENTICATE, ENABLE, ID.
extension FakeIMAPSession {
    func handleCAPABILITY(_ request: FakeIMAPRequest) async throws {
        try await sendLine("* CAPABILITY \(capabilityList())")
        try await complete(request, "OK CAPABILITY completed")
    }

    func handleNOOP(_ request: FakeIMAPRequest) async throws {
        try await announceNewMessages()
        try await complete(request, "OK NOOP completed")
    }

    func handleLOGOUT(_ request: FakeIMAPRequest) async throws {
        try await sendLine("* BYE FakeIMAP logging out")
        try await complete(request, "OK LOGOUT completed")
        phase = .closed
        throw SessionEnded()
    }

    func handleSTARTTLS(_ request: FakeIMAPRequest) async throws {
        guard configuration.offersStartTLS, !connection.isSecure, user == nil else {
            return try await complete(request, "BAD STARTTLS not available")
        }
        try await complete(request, "OK Begin TLS negotiation now")
        try await connection.acceptTLS()
        // RFC 9051 §6.2.1: anything the client sent before the handshake is discarded.
        reader = BufferedReader(connection: connection, maximumLineLength: 65536)
    }

    func handleLOGIN(_ request: FakeIMAPRequest) async throws {
        guard user == nil else { return try await complete(request, "BAD already logged in") }
        guard !(configuration.requiresTLSForLogin && !connection.isSecure) else {
            return try await complete(request, "NO [PRIVACYREQUIRED] LOGIN is disabled before STARTTLS")
        }
        guard request.arguments.count == 2, let name = request.arguments[0].text,
            let password = request.arguments[1].text
        else { return try await complete(request, "BAD LOGIN needs a user name and a password") }
        guard server.accounts.passwords[name] == password else {
            return try await complete(request, "NO [AUTHENTICATIONFAILED] Authentication failed.")
        }
        try await logIn(name, request)
    }

    func handleAUTHENTICATE(_ request: FakeIMAPRequest) async throws {
        guard user == nil else { return try await complete(request, "BAD already logged in") }
        guard let name = request.arguments.first?.text?.uppercased(),
            configuration.saslMechanisms.map({ $0.uppercased() }).contains(name),
            var mechanism = server.accounts.makeMechanism(named: name)
        else { return try await complete(request, "NO unsupported SASL mechanism") }
        if ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"].contains(name), configuration.requiresTLSForLogin,
            !connection.isSecure
        {
            return try await complete(request, "NO [PRIVACYREQUIRED] cleartext mechanisms need TLS")
        }
        var initial: [UInt8]?
        if request.arguments.count > 1, let text = request.arguments[1].text {
            guard configuration.offersSASLIR else { return try await complete(request, "BAD SASL-IR not offered") }
            guard let decoded = text == "=" ? [] : FakeBase64.decode(text) else {
                return try await complete(request, "BAD invalid base64")
            }
            initial = decoded
        }
        var step = mechanism.start(initialResponse: initial)
        while true {
            switch step {
            case .challenge(let bytes):
                try await sendLine("+ " + FakeBase64.encode(bytes))
                let line = String(decoding: try await reader.readLine(), as: UTF8.self)
                server.record("<SASL response>")
                if line == "*" { return try await complete(request, "BAD AUTHENTICATE cancelled") }
                guard let decoded = line.isEmpty ? [] : FakeBase64.decode(line) else {
                    return try await complete(request, "BAD invalid base64")
                }
                step = mechanism.respond(decoded)
            case .success(let name):
                return try await logIn(name, request)
            case .failure:
                return try await complete(request, "NO [AUTHENTICATIONFAILED] Authentication failed.")
            }
        }
    }

    func handleENABLE(_ request: FakeIMAPRequest) async throws {
        guard configuration.offersENABLEAndID, user != nil, case .authenticated = phase else {
            return try await complete(request, "BAD ENABLE not valid now")
        }
        var offered: Set<String> = []
        if configuration.offersCONDSTORE { offered.insert("CONDSTORE") }
        if configuration.offersUTF8Accept { offered.insert("UTF8=ACCEPT") }
        let names = request.arguments.compactMap(\.text).map { $0.uppercased() }.filter { offered.contains($0) }
        enabled.formUnion(names)
        try await sendLine("* ENABLED" + names.map { " " + $0 }.joined())
        try await complete(request, "OK ENABLE completed")
    }

    func handleID(_ request: FakeIMAPRequest) async throws {
        guard configuration.offersENABLEAndID else { return try await complete(request, "BAD unknown command ID") }
        try await sendLine("* ID (\"name\" \"FakeIMAP\" \"vendor\" \"MailLink\")")
        try await complete(request, "OK ID completed")
    }

    private func logIn(_ name: String, _ request: FakeIMAPRequest) async throws {
        user = name
        phase = .authenticated
        if configuration.capabilitiesAfterLogin {
            try await complete(request, "OK [CAPABILITY \(capabilityList())] Logged in")
        } else {
            try await complete(request, "OK Logged in")
        }
    }
}
