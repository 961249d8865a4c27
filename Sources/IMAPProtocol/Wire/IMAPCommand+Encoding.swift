/// What the encoder may use: the literal form the server accepts and whether UTF-8 may be
/// quoted (RFC 6855 UTF8=ACCEPT, enabled).
public struct IMAPEncodingOptions: Sendable, Hashable {
    /// How literals are sent (RFC 7888).
    public var literalMode: IMAPLiteralMode
    /// Whether UTF-8 may appear in quoted strings (after `ENABLE UTF8=ACCEPT`).
    public var utf8Accepted: Bool

    /// Synchronizing literals, no UTF-8 in quoted strings: what every server accepts.
    public init(literalMode: IMAPLiteralMode = .synchronizing, utf8Accepted: Bool = false) {
        self.literalMode = literalMode
        self.utf8Accepted = utf8Accepted
    }
}

/// A command's bytes, split where a synchronizing literal makes the client wait for the
/// server's `+` continuation (RFC 9051 §4.3).
///
/// ```
/// C: A1 LOGIN {5}          ← segments[0]; wait for "+ ..."
/// C: fred "secret"         ← segments[1], CRLF included
/// ```
public struct IMAPEncodedCommand: Sendable, Hashable {
    /// The tag.
    public var tag: String
    /// The bytes to send; before each segment after the first, wait for a continuation.
    public var segments: [[UInt8]]
}

extension IMAPCommand {
    /// Encodes the command with `tag`, CRLF included.
    ///
    /// - Throws: `.invalidArgument` for CR, LF or NUL in an argument, an empty UID set or
    ///   mechanism name.
    public func encode(tag: String, options: IMAPEncodingOptions) throws(IMAPError) -> IMAPEncodedCommand {
        var writer = IMAPCommandWriter(options: options)
        writer.atom(tag)
        writer.atom(" " + verb)
        switch self {
        case .capability, .noop, .logout, .startTLS, .expunge, .close, .idle:
            break
        case .login(let user, let password):
            writer.atom(" ")
            try writer.string(Array(user.utf8), what: "user name")
            writer.atom(" ")
            try writer.string(Array(password.utf8), what: "password")
        case .authenticate(let mechanism, let initial):
            try writer.word(mechanism, what: "mechanism name")
            if let initial { try writer.word(initial, what: "initial response") }
        case .enable(let extensions):
            guard !extensions.isEmpty else { throw IMAPError(.invalidArgument, detail: "ENABLE needs an extension") }
            for name in extensions { try writer.word(name, what: "extension name") }
        case .id(let fields):
            guard let fields else {
                writer.atom(" NIL")
                break
            }
            writer.atom(" (")
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { writer.atom(" ") }
                try writer.string(Array(key.utf8), what: "ID field", quotedOnly: true)
                writer.atom(" ")
                try writer.string(Array(value.utf8), what: "ID value", quotedOnly: true)
            }
            writer.atom(")")
        case .list(let reference, let pattern, let returnSpecialUse):
            writer.atom(" ")
            try writer.string(reference.wireBytes, what: "reference")
            writer.atom(" ")
            try writer.string(pattern.wireBytes, what: "pattern")
            if returnSpecialUse { writer.atom(" RETURN (SPECIAL-USE)") }
        case .status(let name, let items):
            guard !items.isEmpty else { throw IMAPError(.invalidArgument, detail: "STATUS needs an item") }
            writer.atom(" ")
            try writer.string(name.wireBytes, what: "mailbox name")
            writer.atom(" (" + items.map(\.rawValue).joined(separator: " ") + ")")
        case .select(let name, let condStore), .examine(let name, let condStore):
            writer.atom(" ")
            try writer.string(name.wireBytes, what: "mailbox name")
            if condStore { writer.atom(" (CONDSTORE)") }
        case .uidSearch(let key):
            if case .uids(let set) = key, set.isEmpty { throw Self.emptySet }
            writer.atom(" " + key.wire)
        case .uidFetch(let set, let items, let changedSince):
            guard !set.isEmpty else { throw Self.emptySet }
            guard !items.isEmpty else { throw IMAPError(.invalidArgument, detail: "UID FETCH needs an item") }
            writer.atom(" \(set) (" + items.map(\.rawValue).joined(separator: " ") + ")")
            if let changedSince { writer.atom(" (CHANGEDSINCE \(changedSince))") }
        case .uidStore(let set, let mode, let flags, let silent):
            guard !set.isEmpty else { throw Self.emptySet }
            for flag in flags {
                let body = flag.hasPrefix("\\") ? flag.dropFirst() : Substring(flag)
                guard !body.isEmpty, body.utf8.allSatisfy(IMAPCommandWriter.isAtomChar) else {
                    throw IMAPError(.invalidArgument, detail: "a flag that is not an atom")
                }
            }
            writer.atom(" \(set) \(mode.rawValue)\(silent ? ".SILENT" : "") (" + flags.joined(separator: " ") + ")")
        case .uidExpunge(let set):
            guard !set.isEmpty else { throw Self.emptySet }
            writer.atom(" \(set)")
        }
        writer.atom("\r\n")
        return IMAPEncodedCommand(tag: tag, segments: writer.segments)
    }

    static var emptySet: IMAPError { IMAPError(.invalidArgument, detail: "an empty UID set cannot be sent") }
}

/// Builds a command's segments: atoms as they are, strings quoted or as literals.
struct IMAPCommandWriter {
    let options: IMAPEncodingOptions
    private(set) var segments: [[UInt8]] = [[]]

    init(options: IMAPEncodingOptions) { self.options = options }

    /// Text known to be safe (verbs, numbers, fixed syntax).
    mutating func atom(_ text: String) { segments[segments.count - 1] += Array(text.utf8) }

    /// ` word` for an argument that must be one atom (mechanism names, base64).
    mutating func word(_ text: String, what: String) throws(IMAPError) {
        guard !text.isEmpty, text.utf8.allSatisfy({ Self.isAtomChar($0) || $0 == UInt8(ascii: "=") }) else {
            throw IMAPError(.invalidArgument, detail: "the \(what) must be a single atom without CR or LF")
        }
        atom(" " + text)
    }

    static func isAtomChar(_ byte: UInt8) -> Bool {
        switch byte {
        case 0...0x20, 0x7F...0xFF, UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"),
            UInt8(ascii: "*"), UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
            false
        default: true
        }
    }

    /// A string argument: quoted when it can be (RFC 9051 §4.3), otherwise a literal
    /// (8-bit text without UTF8=ACCEPT). CR, LF and NUL are refused in either form.
    mutating func string(_ bytes: [UInt8], what: String, quotedOnly: Bool = false) throws(IMAPError) {
        guard !bytes.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
            throw IMAPError(.invalidArgument, detail: "the \(what) contains CR, LF or NUL")
        }
        let needsLiteral = !options.utf8Accepted && bytes.contains { $0 >= 0x80 }
        if !needsLiteral {
            var quoted: [UInt8] = [UInt8(ascii: "\"")]
            quoted.reserveCapacity(bytes.count + 2)
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { quoted.append(UInt8(ascii: "\\")) }
                quoted.append(byte)
            }
            quoted.append(UInt8(ascii: "\""))
            segments[segments.count - 1] += quoted
            return
        }
        guard !quotedOnly else { throw IMAPError(.invalidArgument, detail: "the \(what) must be 7-bit text") }
        let nonSynchronizing =
            switch options.literalMode {
            case .synchronizing: false
            case .nonSynchronizing: true
            case .nonSynchronizingUpTo4096: bytes.count <= 4096
            }
        if nonSynchronizing {
            atom("{\(bytes.count)+}\r\n")
            segments[segments.count - 1] += bytes
        } else {
            atom("{\(bytes.count)}\r\n")
            segments.append(bytes)
        }
    }
}
