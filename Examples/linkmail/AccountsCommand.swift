import AccountLinking
import FolderRouting
import Foundation

/// `linkmail accounts --home DIR [--json]`: the linked accounts with their folder, marker,
/// copies, status and servers.
enum AccountsCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home"], flagOptions: ["json"])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        let accounts = try await linker.accounts()
        if arguments.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            var listed = accounts
            for index in listed.indices { listed[index].confirmation = nil }  // digests are nobody's business
            print(String(decoding: try encoder.encode(["accounts": listed]), as: UTF8.self))
            return .success
        }
        if accounts.isEmpty { print("no linked accounts") }
        for account in accounts { print("\(account.address)  \(line(account))") }
        return .success
    }

    /// `folder F  marker M  copies …  STATUS  from SERVER`.
    static func line(_ account: LinkedAccount) -> String {
        let copies: String
        switch account.copies {
        case .keep: copies = "copies kept"
        case .delete: copies = "deleted from server"
        case .deleteAfter(let days): copies = "copies kept \(days) days"
        }
        let status = account.confirmationExpired(at: Date()) ? "confirmation expired" : account.status.description
        return "folder \(account.folder)  marker \(account.marker)  \(copies)  \(status)  from \(account.incoming)"
    }
}
