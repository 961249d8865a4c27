import Foundation

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
    linkmail \(version): link mailboxes over POP3, route them into folders, send as any linked address.

    usage: linkmail <command> [options]

    commands:
      version                       print the version
      help                          this text (also --help, -h)
      fetch <connection> --maildir DIR [--folder NAME] [--delete] [--state FILE]
            [--max-size BYTES] [--json]
                                    one POP3 sync pass into a Maildir: new messages only (by UIDL),
                                    copies kept on the server unless --delete

    Commands of the design that are not built yet (send, check, discover, init, add,
    confirm, sync, accounts, identities, compose, demo, audit) answer with exit status 1.

    connection flags (commands that talk to a server):
      --server HOST:PORT  --security tls|starttls|plain  --insecure-allow-plaintext
      --ca FILE  --pin SHA256  --user NAME  --password-file FILE (or LINKMAIL_PASSWORD)
      --timeout SECONDS

    exit status: 0 success, 1 a failure you can act on, 2 bad usage
    """

func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

let plannedCommands: Set<String> = [
    "send", "check", "discover", "init", "add", "confirm", "sync", "accounts", "identities", "compose",
    "demo", "audit",
]

func run(_ arguments: [String]) async -> ExitStatus {
    guard let command = arguments.first else {
        printError(usage)
        return .usage
    }
    let rest = Array(arguments.dropFirst())
    do {
        switch command {
        case "help", "--help", "-h":
            print(usage)
            return .success
        case "version", "--version":
            _ = try CommandLineArguments(rest, valueOptions: [], flagOptions: []).requirePositionals([])
            print("linkmail \(version)")
            return .success
        case "fetch":
            return try await FetchCommand.run(rest)
        case let name where plannedCommands.contains(name):
            printError("linkmail \(name): not available in this build yet")
            return .failure
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

exit(await run(Array(CommandLine.arguments.dropFirst())).rawValue)
