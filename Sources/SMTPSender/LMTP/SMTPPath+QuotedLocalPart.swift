extension SMTPPath {
    /// A path whose local part is a quoted string (RFC 5321 §4.1.2 `Quoted-string`), which may hold
    /// spaces and other printable ASCII: an LMTP recipient that names a folder by its detail,
    /// `"judy+Old mailbox"@example.test`, for servers that take it (Dovecot does).
    ///
    /// `local` is given unquoted; `"` and `\` are escaped (`quoted-pairSMTP`). Control characters,
    /// non-ASCII text (that would need SMTPUTF8) and angle brackets are refused, as is a local part
    /// longer than RFC 5321 §4.5.3.1.1 allows once quoted.
    ///
    /// ```swift
    /// let path = try SMTPPath(quotedLocalPart: "judy+Old mailbox", domain: "example.test")
    /// // C: RCPT TO:<"judy+Old mailbox"@example.test>
    /// ```
    public init(quotedLocalPart local: String, domain: String) throws(SMTPError) {
        func refuse(_ why: String) -> SMTPError {
            SMTPError(.invalidArgument, detail: "the quoted local part \(why)", address: Self.printable(local))
        }
        for scalar in local.unicodeScalars {
            guard (0x20...0x7e).contains(scalar.value) else {
                throw refuse("may hold printable ASCII only (no control or non-ASCII characters)")
            }
            guard scalar != "<", scalar != ">" else { throw refuse("contains an angle bracket") }
        }
        guard !local.isEmpty else { throw refuse("is empty") }
        var quoted = "\""
        for character in local {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        quoted += "\""
        guard quoted.utf8.count <= Self.maximumLocalPartLength else {
            throw refuse("is longer than \(Self.maximumLocalPartLength) octets once quoted")
        }
        // The domain goes through the ordinary checks, under a stand-in local part.
        let checked = try SMTPPath("x@" + domain)
        self.address = quoted + "@" + checked.address.dropFirst(2)
    }
}
