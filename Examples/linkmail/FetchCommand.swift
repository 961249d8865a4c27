import AccountLinking
import FolderRouting
import MailAuth
import MailTransport
import POP3Protocol
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `linkmail fetch <connection> --maildir DIR [--folder NAME] [--delete] [--state FILE]
/// [--max-size BYTES] [--protocol pop3|imap [--mailbox NAME]… [--all-mailboxes] [--keep-folders]]
/// [--json]`: one POP3 (or IMAP) sync pass into a Maildir (new messages only, by UIDL or by
/// mailbox, UIDVALIDITY and UID; copies kept on the server unless `--delete`, and then deleted
/// only once durably stored).
enum FetchCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(
            rest,
            valueOptions: ConnectionOptions.valueOptions.union(["maildir", "folder", "state", "max-size"])
                .union(IncomingOptions.valueOptions),
            flagOptions: ConnectionOptions.flagOptions.union(["delete", "json"]).union(IncomingOptions.flagOptions))
        _ = try arguments.requirePositionals([])
        let connection = try ConnectionOptions(arguments)
        let incoming = try IncomingOptions(arguments)
        let incomingProtocol = incoming.incomingProtocol ?? .pop3
        guard let maildir = arguments.value("maildir") else { throw CommandLineArguments.UsageError("--maildir DIR is required") }
        guard let user = connection.user else { throw CommandLineArguments.UsageError("--user NAME is required") }
        guard let secret = connection.secret else { throw CommandLineArguments.UsageError(ConnectionOptions.secretRequired) }
        let folder: Folder
        do {
            folder = try arguments.value("folder").map { try Folder(path: $0) } ?? .inbox
        } catch {
            throw CommandLineArguments.UsageError("--folder: \(error)")
        }
        let maximumSize = try arguments.integer("max-size", in: 1...(1 << 40)) ?? (64 << 20)
        let json = arguments.flag("json")
        let account = "\(user)@\(connection.endpoint)"
        let statePath = arguments.value("state")
            ?? maildir + (incomingProtocol == .imap ? "/maillink-sync-imap-" : "/maillink-sync-") + account.map { $0.isLetter || $0.isNumber || "@._-".contains($0) ? $0 : "_" } + ".json"

        do {
            try FileManager.default.createDirectory(atPath: maildir, withIntermediateDirectories: true)
            let store = try await MaildirStore.open(at: maildir)
            let opener = SessionOpener(
                tlsPolicy: connection.tlsPolicy, timeouts: connection.timeouts,
                allowsInsecureAuthentication: connection.allowsInsecurePlaintext)
            let (source, close) = try await opener.openIncoming(
                ServerSettings(
                    host: connection.endpoint.host, port: connection.endpoint.port,
                    security: connection.endpoint.security, user: user),
                protocol: incomingProtocol, imap: incoming.imap, secret: secret)
            let sync = MailboxSync(
                options: .init(
                    account: account, destination: RoutingDecision(folder: folder, marker: .blue),
                    keepCopiesOnServer: !arguments.flag("delete"), maximumMessageSize: maximumSize,
                    incomingProtocol: incomingProtocol),
                store: store, statePath: statePath)
            let report: MailboxSync.Report
            do {
                report = try await sync.run(source)
            } catch {
                await close()
                throw error
            }
            await store.close()
            if !report.skippedTooLarge.isEmpty, !json {
                printError(
                    "skipped \(report.skippedTooLarge.count) messages larger than \(maximumSize) bytes; they stay on the server (raise --max-size to fetch them)")
            }
            if !json { report.notices.forEach { printError($0) } }
            if json {
                Output.json([
                    "listed": report.listed, "fetched": report.fetched, "bytes": report.bytes,
                    "recovered": report.recovered, "deleted": report.deleted, "skipped": report.skippedTooLarge.count,
                    "stateRebuilt": report.stateRebuilt, "uniqueIDReset": report.uniqueIDReset,
                    "keyedByContent": report.keyedByContent,
                ])
            } else {
                print("fetched \(report.fetched) new messages (\(report.bytes) bytes)")
            }
            return .success
        } catch {
            Output.failure(LinkDiagnosis(error), json: json)
            return .failure
        }
    }
}
