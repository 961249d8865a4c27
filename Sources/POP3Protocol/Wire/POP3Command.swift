/// One POP3 command, as a value that encodes itself onto the wire (RFC 1939 §3, RFC 2449,
/// RFC 2595, RFC 5034).
///
/// Encoding refuses CR, LF and NUL inside arguments, so that no argument (a user name typed
/// by someone, a message number read from a file) can smuggle a second command onto the line.
///
/// ```
/// C: RETR 1
/// C: TOP 3 0
/// C: USER alice
/// ```
public enum POP3Command: Sendable, Hashable, CustomStringConvertible {
    /// `USER name` (RFC 1939 §7): the first half of cleartext login.
    case user(String)
    /// `PASS secret` (RFC 1939 §7): the password, in the clear unless TLS protects the connection.
    case pass(String)
    /// `APOP name digest` (RFC 1939 §7): login with an MD5 digest of the greeting's timestamp and the secret.
    case apop(name: String, digest: String)
    /// `AUTH mechanism [initial-response]` (RFC 5034 §4): starts a SASL exchange; `=` stands for
    /// an empty initial response.
    case auth(mechanism: String, initialResponse: String?)
    /// One line answering a SASL challenge (base64, or `*` to cancel; RFC 5034 §4).
    case saslResponse(String)
    /// `CAPA` (RFC 2449 §5): the server's capabilities, multi-line.
    case capa
    /// `STLS` (RFC 2595 §4): upgrade the connection to TLS.
    case stls
    /// `STAT` (RFC 1939 §5): message count and total size.
    case stat
    /// `LIST [msg]` (RFC 1939 §5): sizes, multi-line without a message number.
    case list(Int?)
    /// `UIDL [msg]` (RFC 1939 §7): unique ids, multi-line without a message number.
    case uidl(Int?)
    /// `RETR msg` (RFC 1939 §5): one whole message, multi-line.
    case retr(Int)
    /// `TOP msg n` (RFC 1939 §7): the header and the first `n` body lines, multi-line.
    case top(Int, lines: Int)
    /// `DELE msg` (RFC 1939 §5): marks a message deleted; it is removed only at `QUIT`.
    case dele(Int)
    /// `RSET` (RFC 1939 §5): unmarks every message marked deleted.
    case rset
    /// `NOOP` (RFC 1939 §5): does nothing; keeps the session alive.
    case noop
    /// `QUIT` (RFC 1939 §6): ends the session; in the TRANSACTION state the server enters UPDATE
    /// and removes the messages marked deleted.
    case quit

    /// The command word, upper case (`RETR`), or an empty string for a SASL response line.
    public var verb: String {
        switch self {
        case .user: "USER"
        case .pass: "PASS"
        case .apop: "APOP"
        case .auth: "AUTH"
        case .saslResponse: ""
        case .capa: "CAPA"
        case .stls: "STLS"
        case .stat: "STAT"
        case .list: "LIST"
        case .uidl: "UIDL"
        case .retr: "RETR"
        case .top: "TOP"
        case .dele: "DELE"
        case .rset: "RSET"
        case .noop: "NOOP"
        case .quit: "QUIT"
        }
    }

    /// Whether a positive answer to this command is followed by a dot-terminated block
    /// (RFC 1939 §3: LIST and UIDL without argument, RETR, TOP; RFC 2449: CAPA).
    public var hasMultiLineResponse: Bool {
        switch self {
        case .capa, .retr, .top, .list(nil), .uidl(nil): true
        default: false
        }
    }

    /// Whether the command carries a secret (its arguments never appear in a description).
    public var carriesSecret: Bool {
        switch self {
        case .pass, .apop, .auth, .saslResponse: true
        default: false
        }
    }

    /// The command line, CRLF included.
    /// - Throws: ``POP3Error/Code/invalidArgument`` when an argument holds CR, LF or NUL, is
    ///   empty where a value is needed, or a message number is not positive.
    public func encoded() throws(POP3Error) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        try encode(into: &bytes)
        return bytes
    }

    /// Appends the command line, CRLF included, to `buffer` (so that pipelined commands share one write).
    public func encode(into buffer: inout [UInt8]) throws(POP3Error) {
        var arguments: [String] = []
        switch self {
        case .user(let name):
            try Self.requireNonEmpty(name, "user name")
            arguments = [name]
        case .pass(let secret): arguments = [secret]
        case .apop(let name, let digest):
            try Self.requireNonEmpty(name, "user name")
            guard !name.contains(" ") else { throw POP3Error(.invalidArgument, detail: "an APOP user name cannot contain a space") }
            arguments = [name, digest]
        case .auth(let mechanism, let initialResponse):
            try Self.requireNonEmpty(mechanism, "SASL mechanism")
            arguments = [mechanism]
            if let initialResponse { arguments.append(initialResponse.isEmpty ? "=" : initialResponse) }
        case .saslResponse(let line):
            try Self.checkSafe(line)
            buffer.append(contentsOf: line.utf8)
            buffer.append(contentsOf: [13, 10])
            return
        case .list(let number?), .uidl(let number?), .retr(let number), .dele(let number):
            try Self.checkMessageNumber(number)
            arguments = [String(number)]
        case .top(let number, let lines):
            try Self.checkMessageNumber(number)
            guard lines >= 0 else { throw POP3Error(.invalidArgument, detail: "TOP needs a line count of 0 or more") }
            arguments = [String(number), String(lines)]
        case .capa, .stls, .stat, .list(nil), .uidl(nil), .rset, .noop, .quit: break
        }
        for argument in arguments { try Self.checkSafe(argument) }
        buffer.append(contentsOf: verb.utf8)
        for argument in arguments {
            buffer.append(UInt8(ascii: " "))
            buffer.append(contentsOf: argument.utf8)
        }
        buffer.append(contentsOf: [13, 10])
    }

    /// The command as it would be logged: secrets replaced by `<redacted>`.
    public var description: String {
        switch self {
        case .user(let name): "USER \(name)"
        case .pass: "PASS <redacted>"
        case .apop(let name, _): "APOP \(name) <redacted>"
        case .auth(let mechanism, let initial): initial == nil ? "AUTH \(mechanism)" : "AUTH \(mechanism) <redacted>"
        case .saslResponse: "<redacted SASL response>"
        case .list(let number?): "LIST \(number)"
        case .uidl(let number?): "UIDL \(number)"
        case .retr(let number): "RETR \(number)"
        case .top(let number, let lines): "TOP \(number) \(lines)"
        case .dele(let number): "DELE \(number)"
        default: verb
        }
    }

    private static func checkSafe(_ argument: String) throws(POP3Error) {
        for byte in argument.utf8 where byte == 13 || byte == 10 || byte == 0 {
            throw POP3Error(.invalidArgument, detail: "a command argument cannot contain CR, LF or NUL")
        }
    }

    private static func requireNonEmpty(_ argument: String, _ what: String) throws(POP3Error) {
        guard !argument.isEmpty else { throw POP3Error(.invalidArgument, detail: "the \(what) is empty") }
    }

    private static func checkMessageNumber(_ number: Int) throws(POP3Error) {
        guard number >= 1 else {
            throw POP3Error(.invalidArgument, detail: "message numbers start at 1 (RFC 1939 §5), got \(number)")
        }
    }
}
