/// An address with an optional display name, `Name <local@domain>` (RFC 5322 §3.4).
public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
    /// The display name as a person reads it (encoded words already decoded), if any.
    public var displayName: String?
    /// The address.
    public var address: EmailAddress

    /// A mailbox without a display name.
    public init(address: EmailAddress) {
        self.displayName = nil
        self.address = address
    }

    /// A mailbox with a display name; an empty or nil one counts as none. The name is kept as
    /// given (it is quoted or encoded when written, RFC 5322 §3.2.5, RFC 2047).
    /// - Throws: ``MessageError`` with `invalidAddress` when the name holds a control character
    ///   (CR, LF, NUL, TAB or any other of U+0000–U+001F, U+007F–U+009F): it would either
    ///   inject header lines or reach the recipient as something else than what was typed.
    public init(displayName: String?, address: EmailAddress) throws(MessageError) {
        if let displayName, displayName.unicodeScalars.contains(where: Mailbox.isControl) {
            throw MessageError(.invalidAddress, "a display name contains a control character")
        }
        self.init(verifiedDisplayName: displayName, address: address)
    }

    /// A mailbox whose display name was already checked (or came from a parsed header).
    init(verifiedDisplayName displayName: String?, address: EmailAddress) {
        self.displayName = displayName?.isEmpty == true ? nil : displayName
        self.address = address
    }

    /// Parses one typed mailbox such as `"Ivanov, Ivan" <ivan@example.ru>`,
    /// `Ivan Ivanov <ivan@example.ru>` or `ivan@example.ru`, strictly: it is taken exactly as
    /// written or refused, never read as another address (see `Mailbox+Parsing.swift` for the
    /// grammar). Headers of received mail are read tolerantly by ``AddressList`` instead.
    /// - Throws: ``MessageError`` with `invalidAddress` for a control character anywhere, an
    ///   unquoted `@` (or other special) in the display name, a bare address with spaces,
    ///   text after `>`, or more than one address; the address's own errors otherwise.
    public init(_ string: some StringProtocol) throws(MessageError) {
        self = try Mailbox.parseStrictly(String(string))
    }

    /// `Name <local@domain>` unencoded, for people.
    public var description: String {
        guard let displayName else { return address.description }
        return "\(Mailbox.quotedIfNeeded(displayName)) <\(address)>"
    }

    /// The mailbox as written in a header field: the display name as atoms, a quoted string
    /// or RFC 2047 encoded words (only when needed), and the address with an ASCII domain
    /// unless the local part needs SMTPUTF8 anyway.
    /// - Throws: ``MessageError`` with `headerInjection` if the display name contains CR, LF or
    ///   NUL, `invalidAddress` for another control character (``displayName`` may have been set
    ///   after the checks of ``init(displayName:address:)``).
    public func headerValue() throws(MessageError) -> String {
        let addressText = address.requiresSMTPUTF8 ? address.description : address.asciiString
        guard let displayName else { return addressText }
        guard !displayName.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            throw MessageError(.headerInjection, "a display name contains CR, LF or NUL")
        }
        guard !displayName.unicodeScalars.contains(where: Mailbox.isControl) else {
            throw MessageError(.invalidAddress, "a display name contains a control character")
        }
        let longestWord = displayName.split(separator: " ").map(\.utf8.count).max() ?? 0
        if EncodedWord.needsEncoding(displayName) || longestWord > HeaderFolding.preferredLineLength - 12 {
            return EncodedWord.encode(displayName, context: .phrase).joined(separator: " ") + " <\(addressText)>"
        }
        return "\(Mailbox.quotedIfNeeded(displayName)) <\(addressText)>"
    }

    /// The phrase as atoms when it only has atext and spaces, else as a quoted string.
    static func quotedIfNeeded(_ phrase: String) -> String {
        let plain =
            phrase.utf8.allSatisfy { EmailAddress.isAtext($0) && $0 < 0x80 || $0 == 0x20 }
            && !phrase.hasPrefix(" ") && !phrase.hasSuffix(" ") && !phrase.contains("  ")
        if plain { return phrase }
        var quoted = "\""
        for character in phrase {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
