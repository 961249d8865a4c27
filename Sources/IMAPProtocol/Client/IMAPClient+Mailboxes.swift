/// Mailboxes: ENABLE, ID, LIST with SPECIAL-USE, STATUS, SELECT and EXAMINE.
extension IMAPClient {
    /// `ENABLE` (RFC 5161) with the extensions among `extensions` that the server announces
    /// (CONDSTORE, QRESYNC, UTF8=ACCEPT); returns what it enabled. Needs the authenticated state.
    @discardableResult
    public func enable(_ extensions: [String]) async throws -> Set<String> {
        try await perform {
            let wanted = extensions.filter { capabilities.contains($0) }
            guard capabilities.enable, !wanted.isEmpty else { return enabledExtensions }
            _ = try await execute(.enable(wanted)) { data in
                if case .enabled(let names) = data { enabledExtensions.formUnion(names.map { $0.uppercased() }) }
            }
            return enabledExtensions
        }
    }

    /// `ID` (RFC 2971): tells the server who we are (some providers ask for it) and returns its
    /// own fields. Empty when the server does not offer ID.
    @discardableResult
    public func identify(_ fields: [(String, String)] = [("name", "MailLink")]) async throws -> [String: String] {
        try await perform {
            guard capabilities.id else { return [:] }
            var server: [String: String] = [:]
            _ = try await execute(.id(fields.isEmpty ? nil : fields)) { data in
                if case .id(let answer) = data { server = answer }
            }
            return server
        }
    }

    /// `LIST reference pattern` (RFC 9051 §6.3.9), with `RETURN (SPECIAL-USE)` when the server
    /// offers SPECIAL-USE so each mailbox carries its `\Sent`, `\Trash`... (RFC 6154 §5.1).
    ///
    /// ```swift
    /// let trash = try await client.listMailboxes().first { $0.specialUse == .trash }
    /// ```
    public func listMailboxes(reference: String = "", pattern: String = "*") async throws -> [IMAPMailbox] {
        try await perform {
            var mailboxes: [IMAPMailbox] = []
            let command = IMAPCommand.list(
                reference: IMAPMailboxName(wire: reference), pattern: IMAPMailboxName(wire: pattern),
                returnSpecialUse: capabilities.specialUse && !capabilities.contains("IMAP4rev2"))
            _ = try await execute(command) { data in
                if case .list(let mailbox) = data { mailboxes.append(mailbox) }
            }
            return mailboxes
        }
    }

    /// `STATUS` (RFC 9051 §6.3.11): a mailbox's counters without selecting it. HIGHESTMODSEQ
    /// is asked only when the server offers CONDSTORE.
    public func status(
        _ mailbox: IMAPMailboxName,
        items: [IMAPStatusItem] = [.messages, .uidNext, .uidValidity, .unseen, .highestModSeq]
    ) async throws -> IMAPMailboxStatus {
        try await perform {
            let asked = items.filter { $0 != .highestModSeq || capabilities.condStore }
            var status = IMAPMailboxStatus()
            _ = try await execute(.status(mailbox, asked)) { data in
                if case .status(_, let values) = data { status = values }
            }
            return status
        }
    }

    /// Opens `mailbox`: `EXAMINE` when `readOnly` (nothing changes, `\Recent` stays), `SELECT`
    /// otherwise (RFC 9051 §6.3.2-3), with `(CONDSTORE)` when offered so HIGHESTMODSEQ comes too.
    ///
    /// - Parameter expectedUIDValidity: the UIDVALIDITY recorded last time, if any. When the
    ///   server's differs, the mailbox stays selected and `.uidValidityChanged` is thrown: every
    ///   UID recorded before is void (RFC 9051 §2.3.1.1).
    /// - Throws: `.nonexistent` and other refusals with the server's words; the session goes on
    ///   with no mailbox selected.
    @discardableResult
    public func select(
        _ mailbox: IMAPMailboxName, readOnly: Bool = false, expectedUIDValidity: UInt32? = nil
    ) async throws -> IMAPSelectedMailbox {
        let selected = try await perform {
            selectedMailbox = nil
            var opened = IMAPSelectedMailbox(name: mailbox, isReadOnly: readOnly)
            let condStore = capabilities.condStore
            let command: IMAPCommand =
                readOnly ? .examine(mailbox, condStore: condStore) : .select(mailbox, condStore: condStore)
            let tagged = try await execute(command) { data in
                switch data {
                case .exists(let count): opened.status.messageCount = count
                case .flags(let flags): opened.flags = flags
                case .condition(.ok, let text):
                    guard let code = text.code else { break }
                    switch code.name {
                    case IMAPResponseCode.uidValidity:
                        opened.status.uidValidity = code.number.flatMap { UInt32(exactly: $0) }
                    case IMAPResponseCode.uidNext: opened.status.uidNext = code.number.flatMap { UInt32(exactly: $0) }
                    case IMAPResponseCode.highestModSeq: opened.status.highestModSeq = code.number
                    case IMAPResponseCode.permanentFlags: opened.permanentFlags = code.words
                    default: break
                    }
                default: break
                }
            }
            if tagged.text.code?.name == IMAPResponseCode.readOnly { opened.isReadOnly = true }
            selectedMailbox = opened
            return opened
        }
        if let expectedUIDValidity, selected.uidValidity != expectedUIDValidity {
            throw IMAPError(
                .uidValidityChanged,
                detail: "\(mailbox.displayName) has UIDVALIDITY \(selected.uidValidity.map(String.init) ?? "none"), "
                    + "not \(expectedUIDValidity)",
                responseCode: IMAPResponseCode(
                    name: IMAPResponseCode.uidValidity, argument: selected.uidValidity.map(String.init)))
        }
        return selected
    }

    /// `CLOSE` (RFC 9051 §6.4.1): leaves the mailbox, silently expunging `\Deleted` messages
    /// when it was opened read-write.
    public func closeMailbox() async throws {
        try await perform {
            _ = try await execute(.close)
            selectedMailbox = nil
        }
    }
}
