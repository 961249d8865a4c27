/// An address with an optional display name, `Name <local@domain>` (RFC 5322 §3.4).
public struct Mailbox: Sendable, Hashable, CustomStringConvertible {
    /// The display name as a person reads it (encoded words already decoded), if any.
    public var displayName: String?
    /// The address.
    public var address: EmailAddress

    /// Creates a mailbox; an empty display name counts as none.
    public init(displayName: String? = nil, address: EmailAddress) {
        self.displayName = displayName?.isEmpty == true ? nil : displayName
        self.address = address
    }

    /// Parses one mailbox such as `"Ivanov, Ivan" <ivan@example.ru>` or `ivan@example.ru`.
    /// - Throws: ``MessageError`` with `invalidAddress` when there is not exactly one valid mailbox.
    public init(_ string: some StringProtocol) throws(MessageError) {
        let list = AddressList(parsing: String(string))
        guard list.mailboxes.count == 1, list.invalid.isEmpty, let mailbox = list.mailboxes.first else {
            throw MessageError(.invalidAddress, "expected exactly one valid mailbox")
        }
        self = mailbox
    }

    /// `Name <local@domain>` unencoded, for people.
    public var description: String {
        guard let displayName else { return address.description }
        return "\(Mailbox.quotedIfNeeded(displayName)) <\(address)>"
    }

    /// The mailbox as written in a header field: the display name as atoms, a quoted string
    /// or RFC 2047 encoded words (only when needed), and the address with an ASCII domain
    /// unless the local part needs SMTPUTF8 anyway.
    /// - Throws: ``MessageError`` with `headerInjection` if the display name contains CR, LF or NUL.
    public func headerValue() throws(MessageError) -> String {
        let addressText = address.requiresSMTPUTF8 ? address.description : address.asciiString
        guard let displayName else { return addressText }
        guard !displayName.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
            throw MessageError(.headerInjection, "a display name contains CR, LF or NUL")
        }
        let longestWord = displayName.split(separator: " ").map(\.utf8.count).max() ?? 0
        if EncodedWord.needsEncoding(displayName) || longestWord > HeaderFolding.preferredLineLength - 12 {
            return EncodedWord.encode(displayName, context: .phrase).joined(separator: " ") + " <\(addressText)>"
        }
        return "\(Mailbox.quotedIfNeeded(displayName)) <\(addressText)>"
    }

    /// The phrase as atoms when it only has atext and spaces, else as a quoted string.
    static func quotedIfNeeded(_ phrase: String) -> String {
        let plain = phrase.utf8.allSatisfy { EmailAddress.isAtext($0) && $0 < 0x80 || $0 == 0x20 }
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
