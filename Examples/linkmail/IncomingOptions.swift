import AccountLinking

/// The incoming-protocol flags of `fetch` and `add`: `--protocol imap|pop3`, and for IMAP
/// `--mailbox NAME` (repeatable), `--all-mailboxes`, `--keep-folders`.
struct IncomingOptions {
    static let valueOptions: Set<String> = ["protocol", "mailbox"]
    static let flagOptions: Set<String> = ["all-mailboxes", "keep-folders"]

    /// The protocol asked for; nil when `--protocol` is absent.
    var incomingProtocol: IncomingProtocol?
    /// What an IMAP account reads.
    var imap: IMAPSourceOptions

    init(_ arguments: CommandLineArguments) throws {
        if let name = arguments.value("protocol") {
            guard let named = IncomingProtocol(named: name) else {
                throw CommandLineArguments.UsageError("--protocol must be imap or pop3, not \(name)")
            }
            incomingProtocol = named
        }
        let mailboxes = arguments.values("mailbox")
        let all = arguments.flag("all-mailboxes")
        if (!mailboxes.isEmpty || all || arguments.flag("keep-folders")) && incomingProtocol != .imap {
            throw CommandLineArguments.UsageError("--mailbox, --all-mailboxes and --keep-folders need --protocol imap")
        }
        if !mailboxes.isEmpty && all {
            throw CommandLineArguments.UsageError("--mailbox and --all-mailboxes cannot be combined")
        }
        imap = IMAPSourceOptions(
            mailboxes: all ? .all() : mailboxes.isEmpty ? .inbox : .named(mailboxes),
            keepsSourceFolders: arguments.flag("keep-folders"))
    }
}
