import MailTransport

/// The default ``ServerProbe``: the probe's own minimal dialogue over a ``MailConnector``.
///
/// No authentication, ever. POP3 (RFC 1939, 2449, 2595):
/// ```
/// S: +OK ready                         (greeting must start with +OK)
/// C: CAPA          S: +OK … STLS … .   (STARTTLS candidates: STLS must be offered)
/// C: STLS          S: +OK              (then the TLS handshake, certificate verified)
/// C: CAPA          S: +OK … SASL PLAIN … .
/// C: QUIT
/// ```
/// IMAP (RFC 9051 §7.1, §6.2.1): greeting `* OK` (or `* PREAUTH`), `CAPABILITY`, `STARTTLS` +
/// handshake and `CAPABILITY` again when the candidate says so, `LOGOUT`.
/// SMTP (RFC 5321, 3207): greeting `220`, `EHLO`, `STARTTLS` + handshake when the candidate
/// says so, `EHLO` again after TLS, `QUIT`. Implicit-TLS candidates are handshaken by the
/// connector before the greeting. Unlike Thunderbird's guesser, the greeting
/// is validated, STARTTLS is really performed and capabilities are read after TLS.
/// The lead may later replace this with the POP3 and SMTP clients; it is deliberately tiny.
public struct MailServerProbe: ServerProbe {
    /// Opens connections.
    public var connector: any MailConnector
    /// Certificate trust (system roots by default; the bench's CA in interop tests).
    public var tlsPolicy: TLSPolicy
    /// Connect and read limits for one probe (5 s each).
    public var timeouts: Timeouts

    /// A probe.
    public init(
        connector: any MailConnector = SocketConnector(), tlsPolicy: TLSPolicy = .default,
        timeouts: Timeouts = .all(.seconds(5))
    ) {
        self.connector = connector
        self.tlsPolicy = tlsPolicy
        self.timeouts = timeouts
    }

    /// Runs the dialogue for `candidate`.
    public func probe(_ candidate: ProbeCandidate) async -> ProbeOutcome {
        var policy = tlsPolicy
        if !candidate.addresses.isEmpty, policy.serverNameOverride == nil {
            policy.serverNameOverride = candidate.host
        }
        var connection: (any MailConnection)?
        var failure: DiscoveryError?
        for address in candidate.addresses.isEmpty ? [candidate.host] : candidate.addresses {
            let endpoint = Endpoint(host: address, port: candidate.port, security: candidate.security)
            do {
                connection = try await connector.connect(to: endpoint, tls: policy, timeouts: timeouts)
                break
            } catch let error as TransportError
                where [.connectionRefused, .unreachable, .timedOut].contains(error.code)
            {
                failure = Self.describe(error, candidate)
            } catch {
                return .failure(Self.describe(error, candidate))
            }
        }
        guard let connection else { return .failure(failure ?? DiscoveryError(.network, "\(candidate): no address")) }
        defer { connection.close() }
        let reader = BufferedReader(connection: connection, maximumLineLength: 2048)
        do {
            let capabilities: [String]
            switch candidate.mailProtocol {
            case .pop3: capabilities = try await pop3(reader, connection, candidate, policy)
            case .smtp: capabilities = try await smtp(reader, connection, candidate, policy)
            case .imap: capabilities = try await imap(reader, connection, candidate, policy)
            }
            return .success(capabilities: capabilities)
        } catch {
            return .failure(Self.describe(error, candidate))
        }
    }

    private func pop3(
        _ reader: BufferedReader, _ connection: any MailConnection, _ candidate: ProbeCandidate, _ policy: TLSPolicy
    ) async throws -> [String] {
        try Self.expect(try await reader.readLine(), prefix: "+OK", "POP3 greeting", candidate)
        var capabilities = try await popCapabilities(reader, connection)
        if candidate.security == .startTLS {
            guard capabilities.contains("STLS") else {
                throw DiscoveryError(.noConfigurationFound, "\(candidate) does not offer STLS")
            }
            try await connection.send(Array("STLS\r\n".utf8))
            try Self.expect(try await reader.readLine(), prefix: "+OK", "STLS reply", candidate)
            try reader.requireEmptyBufferBeforeTLS()
            try await connection.startTLS(serverName: candidate.host, policy: policy)
            capabilities = try await popCapabilities(reader, connection)
        }
        try? await connection.send(Array("QUIT\r\n".utf8))
        return capabilities
    }

    private func imap(
        _ reader: BufferedReader, _ connection: any MailConnection, _ candidate: ProbeCandidate, _ policy: TLSPolicy
    ) async throws -> [String] {
        let greeting = String(decoding: try await reader.readLine(), as: UTF8.self).uppercased()
        guard greeting.hasPrefix("* OK") || greeting.hasPrefix("* PREAUTH") else {
            throw DiscoveryError(.noConfigurationFound, "\(candidate): not an IMAP greeting")
        }
        var capabilities = try await imapCapabilities(reader, connection, tag: "P1", candidate)
        if candidate.security == .startTLS {
            guard capabilities.contains("STARTTLS") else {
                throw DiscoveryError(.noConfigurationFound, "\(candidate) does not offer STARTTLS")
            }
            try await connection.send(Array("P2 STARTTLS\r\n".utf8))
            try await imapCompletion(reader, tag: "P2", candidate)
            try reader.requireEmptyBufferBeforeTLS()
            try await connection.startTLS(serverName: candidate.host, policy: policy)
            capabilities = try await imapCapabilities(reader, connection, tag: "P3", candidate)
        }
        try? await connection.send(Array("P4 LOGOUT\r\n".utf8))
        // `AUTH=PLAIN` read as `PLAIN`, the way POP3's `SASL PLAIN` is.
        return capabilities.map { $0.hasPrefix("AUTH=") ? String($0.dropFirst(5)) : $0 }
    }

    /// `CAPABILITY`: the words of its untagged answer, once the tagged `OK` came.
    private func imapCapabilities(
        _ reader: BufferedReader, _ connection: any MailConnection, tag: String, _ candidate: ProbeCandidate
    ) async throws -> [String] {
        try await connection.send(Array("\(tag) CAPABILITY\r\n".utf8))
        var words: [String] = []
        for _ in 0..<50 {
            let line = String(decoding: try await reader.readLine(), as: UTF8.self).uppercased()
            if line.hasPrefix("* CAPABILITY ") {
                words = line.split(separator: " ").dropFirst(2).map(String.init)
            } else if line.hasPrefix(tag + " ") {
                guard line.hasPrefix(tag + " OK") else {
                    throw DiscoveryError(.noConfigurationFound, "\(candidate) refused CAPABILITY")
                }
                return words
            }
        }
        throw DiscoveryError(.noConfigurationFound, "\(candidate): CAPABILITY answer too long")
    }

    /// Reads to the tagged completion of `tag`, which must be `OK`.
    private func imapCompletion(_ reader: BufferedReader, tag: String, _ candidate: ProbeCandidate) async throws {
        for _ in 0..<50 {
            let line = String(decoding: try await reader.readLine(), as: UTF8.self).uppercased()
            guard line.hasPrefix(tag + " ") else { continue }
            guard line.hasPrefix(tag + " OK") else {
                throw DiscoveryError(.noConfigurationFound, "\(candidate) refused STARTTLS")
            }
            return
        }
        throw DiscoveryError(.noConfigurationFound, "\(candidate): STARTTLS answer too long")
    }

    private func popCapabilities(_ reader: BufferedReader, _ connection: any MailConnection) async throws -> [String] {
        try await connection.send(Array("CAPA\r\n".utf8))
        let status = String(decoding: try await reader.readLine(), as: UTF8.self)
        guard status.hasPrefix("+OK") else { return [] }
        var lines: [String] = []
        while true {
            let line = String(decoding: try await reader.readLine(), as: UTF8.self)
            if line == "." { return lines }
            guard lines.count < 200 else { throw DiscoveryError(.noConfigurationFound, "CAPA reply too long") }
            lines.append(line.uppercased())
        }
    }

    private func smtp(
        _ reader: BufferedReader, _ connection: any MailConnection, _ candidate: ProbeCandidate, _ policy: TLSPolicy
    ) async throws -> [String] {
        _ = try await smtpReply(reader, expecting: "220", "SMTP greeting", candidate)
        var keywords = try await ehlo(reader, connection, candidate)
        if candidate.security == .startTLS {
            guard keywords.contains("STARTTLS") else {
                throw DiscoveryError(.noConfigurationFound, "\(candidate) does not offer STARTTLS")
            }
            try await connection.send(Array("STARTTLS\r\n".utf8))
            _ = try await smtpReply(reader, expecting: "220", "STARTTLS reply", candidate)
            try reader.requireEmptyBufferBeforeTLS()
            try await connection.startTLS(serverName: candidate.host, policy: policy)
            keywords = try await ehlo(reader, connection, candidate)
        }
        try? await connection.send(Array("QUIT\r\n".utf8))
        return keywords
    }

    private func ehlo(
        _ reader: BufferedReader, _ connection: any MailConnection, _ candidate: ProbeCandidate
    ) async throws -> [String] {
        try await connection.send(Array("EHLO maillink.invalid\r\n".utf8))
        return Array(try await smtpReply(reader, expecting: "250", "EHLO reply", candidate).dropFirst())
    }

    /// Reads a (multi-line) SMTP reply; returns the text of each line, upper case.
    private func smtpReply(
        _ reader: BufferedReader, expecting code: String, _ what: String, _ candidate: ProbeCandidate
    ) async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = String(decoding: try await reader.readLine(), as: UTF8.self)
            try Self.expect(Array(line.utf8), prefix: code, what, candidate)
            lines.append(String(line.dropFirst(4)).uppercased())
            guard lines.count < 200 else { throw DiscoveryError(.noConfigurationFound, "\(what) too long") }
            if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return lines }
        }
    }

    private static func expect(_ line: [UInt8], prefix: String, _ what: String, _ candidate: ProbeCandidate) throws {
        guard line.starts(with: Array(prefix.utf8)) else {
            let text = String(decoding: line.prefix(120), as: UTF8.self)
            throw DiscoveryError(.noConfigurationFound, "\(candidate): unexpected \(what): \(text)")
        }
    }

    /// A probe failure in discovery's terms, keeping the transport's words (certificate reason).
    static func describe(_ error: any Error, _ candidate: ProbeCandidate) -> DiscoveryError {
        if let error = error as? DiscoveryError { return error }
        if let error = error as? TransportError {
            if error.isCertificateFailure, let certificate = error.certificate {
                return DiscoveryError(
                    .certificateRejected,
                    "\(candidate): \(error.code): \(error.detail); certificate SHA-256 \(certificate.fingerprint)")
            }
            let code: DiscoveryError.Code = error.code == .timedOut ? .timedOut : .network
            return DiscoveryError(code, "\(candidate): \(error.code)\(error.detail.isEmpty ? "" : ": " + error.detail)")
        }
        return DiscoveryError(.network, "\(candidate): \(error)")
    }
}
