#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `linkmail`: the MailLink showcase. Every behaviour lives in the library; this is argument
/// handling and printing. Exit status: 0 success, 1 a failure the user can act on (the
/// diagnosis is printed), 2 bad usage.
enum ExitStatus: Int32 {
    case success = 0
    case failure = 1
    case usage = 2
}

let version = "0.1.0-dev"

let usage = """
    linkmail \(version): link mailboxes over POP3 or IMAP, route them into folders, send as any linked address.

    usage: linkmail <command> [options]

    commands:
      version                       print the version
      help                          this text (also --help, -h)
      audit ACCOUNTS.csv --report FILE.md [--json FILE] [--concurrency N] [discovery options]
            [--ca FILE] [--pin SHA256] [--timeout SECONDS]
                                    roll-out check of many accounts (CSV columns address, owner,
                                    password_file, server, security, user, protocol): discovery,
                                    the checklist and the diagnosis per address; a Markdown report
                                    with a summary, the providers' settings, what each owner must
                                    do, and checklists for users and the administrator
      demo [--dir DIR] [--oauth]    the whole flow on built-in fake servers on loopback: link,
                                    confirm, sync into a Maildir, send as; ends with the four
                                    acceptance checks (--oauth: signs in with the device flow at
                                    a fake authorization server and uses its tokens throughout)
      fetch <connection> --maildir DIR [--folder NAME] [--delete] [--state FILE]
            [--max-size BYTES] [--protocol pop3|imap [--mailbox NAME]… [--all-mailboxes]
            [--keep-folders]] [--json]
                                    one POP3 (default) or IMAP sync pass into a Maildir: new
                                    messages only, copies kept on the server unless --delete;
                                    IMAP reads INBOX unless --mailbox or --all-mailboxes (which
                                    skips Trash, Junk and Drafts), --keep-folders keeps its folders
      send <connection> --from ADDR --to ADDR[,ADDR…] [--subject TEXT] [--body-file FILE]
           [--attach FILE]… [--count N] [--json]
                                    builds and submits a message (N copies over one connection)
      discover ADDRESS [--dns HOST:PORT] [--autoconfig-base URL] [--ispdb URL] [--offline]
               [--probe] [--ca FILE] [--pin SHA256] [--json]
                                    server settings from the address: bundled table, autoconfig,
                                    ISPDB, MX, SRV, then probing; each with its source and trust
      check <connection> [--protocol pop3|imap] [--smtp HOST:PORT --smtp-security tls|starttls|plain] [--json]
                                    the troubleshooting checklist: PASS/FAIL per step, then what to try
      init --home DIR --primary ADDR <connection flags for its outgoing server> [--verify-base-url URL]
           [--confirmation-expiry DURATION]
                                    sets up the primary mailbox whose outgoing server sends confirmations
      add ADDRESS --home DIR [--password-file FILE] [--server H:P --security S --user U]
          [--smtp H:P --smtp-security S] [--ca FILE] [--pin SHA256] [--timeout SECONDS]
          [--insecure-allow-plaintext] [--accept-discovered] [--folder NAME|--inbox]
          [--marker COLOR] [--delete-from-server [--after-days N]] [discovery options of 'discover']
          [--oauth device|browser --oauth-client-id ID [--oauth-client-secret-file FILE]
           [--oauth-issuer URL]]
          [--protocol imap|pop3 [--mailbox NAME]… [--all-mailboxes] [--keep-folders]]
                                    links a mailbox (settings discovered unless --server is given):
                                    tests the login, sends the confirmation e-mail; settings that
                                    need approval are only printed unless --accept-discovered;
                                    --oauth signs in at the provider instead of a password (the
                                    code to enter or the URL to open is printed) with your own
                                    application's client id; --oauth-issuer reads the metadata of
                                    another authorization server (RFC 8414)
      confirm LINK-OR-CODE --home DIR [--address ADDR] [--deliver … --recipient …]
                                    confirms ownership by the link or the 8-character code; the
                                    account's first sync runs at once (where 'sync' would deliver)
      resend ADDRESS --home DIR     a new confirmation e-mail (earlier links and codes stop working)
      unlink ADDRESS --home DIR [--delete-mail]
                                    removes the account (its mail stays unless --delete-mail)
      update ADDRESS --home DIR [--password-file FILE] [--folder NAME|--inbox] [--marker COLOR]
             [--keep-copies | --delete-from-server [--after-days N]]
             [--protocol imap|pop3 [--server HOST:PORT [--security …] [--user NAME]]
              [--mailbox NAME]… [--all-mailboxes] [--keep-folders] [--offline]] [--ca FILE] [--pin SHA256]
                                    changes the account's password, folder, marker, copies,
                                    incoming protocol (its server discovered unless --server;
                                    mail already imported is not imported again) or extra trust
      sync --home DIR [--once] [--interval SECONDS] [--concurrency N] [--shard K/N] [--json]
           [--deliver lmtp://HOST:PORT --recipient 'USER+{folder}@DOMAIN']
                                    keeps every confirmed account synced until SIGTERM or
                                    Ctrl-C (SIGUSR1 checks now); --once makes one pass.
                                    --deliver hands mail to a mail server over LMTP (lmtps://
                                    for TLS) instead of the home's Maildir, so several workers
                                    can share one home; {folder} becomes the account's folder
                                    (nothing, and the + before it, for the Inbox).
                                    --concurrency (default 4) bounds the sessions at once,
                                    IMAP push (IDLE) sessions included: at most N-1 accounts
                                    get push, the others are polled
      accounts --home DIR [--json]  the linked accounts: folder, marker, copies kept, status
      identities --home DIR [--default ADDR]
                                    the From addresses, the default marked with *
      compose --home DIR [--from ADDR] --to ADDR[,ADDR…] [--subject TEXT] [--body-file FILE]
                                    sends as a linked address through its own outgoing server

    connection flags (commands that talk to a server):
      --server HOST:PORT  --security tls|starttls|plain  --insecure-allow-plaintext
      --ca FILE  --pin SHA256  --user NAME  --password-file FILE (or LINKMAIL_PASSWORD)
      --token-file FILE (an OAuth 2.0 access token instead of a password)  --timeout SECONDS

    exit status: 0 success, 1 a failure you can act on, 2 bad usage
    """

/// The commands `run` dispatches, so `linkmail COMMAND --help` knows which names it answers.
let commands = [
    "version", "help", "audit", "demo", "fetch", "send", "discover", "check", "init", "add", "confirm",
    "resend", "unlink", "update", "sync", "accounts", "identities", "compose",
]

/// `linkmail COMMAND --help`: the command's own entry of ``usage`` (its line and the lines
/// indented under it), plus the connection flags for commands that talk to a server, so the
/// option lists are written once.
func help(for command: String) -> String {
    let lines = usage.split(separator: "\n", omittingEmptySubsequences: false)
    let entryIndent = "  "
    var entry: [Substring] = []
    for line in lines {
        let isEntryStart = line.hasPrefix(entryIndent) && !line.dropFirst(entryIndent.count).hasPrefix(" ")
        if isEntryStart {
            if !entry.isEmpty { break }
            if line.dropFirst(entryIndent.count).split(separator: " ").first == Substring(command) { entry.append(line) }
        } else if !entry.isEmpty {
            guard line.hasPrefix(entryIndent + " ") else { break }
            entry.append(line)
        }
    }
    var text = "usage: linkmail " + entry.map { $0.dropFirst(entryIndent.count) }.joined(separator: "\n")
    if entry.contains(where: { $0.contains("<connection") }),
        let start = lines.firstIndex(where: { $0.hasPrefix("connection flags") })
    {
        text += "\n\n" + lines[start...].prefix { !$0.isEmpty }.joined(separator: "\n")
    }
    return text + "\n\nexit status: 0 success, 1 a failure you can act on, 2 bad usage"
}

func printError(_ text: String) {
    Output.write(text + "\n", to: STDERR_FILENO)
}

/// The answers that need no task: usage, help and the version. Answered before the command's
/// task is made, so the concurrency runtime never starts its threads for them (about 0.4 ms of
/// the 6.2 ms `linkmail --help` took here). Nil for every other command.
func immediateAnswer(_ arguments: [String]) -> ExitStatus? {
    guard let command = arguments.first else {
        printError(usage)
        return .usage
    }
    let rest = Array(arguments.dropFirst())
    let options = rest.prefix { $0 != "--" }
    if commands.contains(command), options.contains("--help") || options.contains("-h") {
        print(help(for: command))
        return .success
    }
    switch command {
    case "help", "--help", "-h":
        print(usage)
        return .success
    case "version", "--version":
        do {
            _ = try CommandLineArguments(rest, valueOptions: [], flagOptions: []).requirePositionals([])
        } catch {
            printError("linkmail: \(error)\nrun 'linkmail --help' for usage")
            return .usage
        }
        print("linkmail \(version)")
        return .success
    default:
        return nil
    }
}

/// Every command but those ``immediateAnswer(_:)`` answers (it has returned nil for `arguments`).
func run(_ arguments: [String]) async -> ExitStatus {
    let command = arguments.first ?? ""
    let rest = Array(arguments.dropFirst())
    do {
        switch command {
        case "fetch":
            return try await FetchCommand.run(rest)
        case "send":
            return try await SendCommand.run(rest)
        case "audit": return try await AuditCommand.run(rest)
        case "discover": return try await DiscoverCommand.run(rest)
        case "demo": return try await DemoCommand.run(rest)
        case "check": return try await CheckCommand.run(rest)
        case "init": return try await AccountCommands.initialize(rest)
        case "add": return try await AccountCommands.add(rest)
        case "confirm": return try await AccountCommands.confirm(rest)
        case "sync": return try await SyncCommand.run(rest)
        case "accounts": return try await AccountsCommand.run(rest)
        case "resend": return try await AccountCommands.resend(rest)
        case "unlink": return try await AccountCommands.unlink(rest)
        case "update": return try await AccountCommands.update(rest)
        case "identities": return try await AccountCommands.identities(rest)
        case "compose": return try await AccountCommands.compose(rest)
        default:
            throw CommandLineArguments.UsageError("unknown command \(command)")
        }
    } catch let error as CommandLineArguments.UsageError {
        printError("linkmail: \(error)\nrun 'linkmail --help' for usage")
        return .usage
    } catch {
        printError("linkmail: \(error)")
        return .failure
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
if let answer = immediateAnswer(arguments) { exit(answer.rawValue) }
// The command runs in a task and ends the process itself; the main thread waits here. An `await`
// at the top level would make this an async main, which hands the main thread to
// `dispatch_main()`, and that ends it with `pthread_exit`: glibc then unwinds the thread's stack,
// loading libgcc_s and reading the executable's unwind tables, 0.4 to 1.1 MiB more at a fetch's
// peak for nothing. Signals still arrive: a parked thread takes default actions (SIGINT ends the
// process) and libdispatch's signal sources alike.
Task.detached { exit(await run(arguments).rawValue) }
while true { pause() }
