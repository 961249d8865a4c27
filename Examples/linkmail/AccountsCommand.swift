import AccountLinking
import FolderRouting
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `linkmail accounts --home DIR [--json]`: the linked accounts with their folder, marker,
/// copies, status, servers and last check (from the history kept in the home's `state/`).
enum AccountsCommand {
    static func run(_ rest: [String]) async throws -> ExitStatus {
        let arguments = try CommandLineArguments(rest, valueOptions: ["home"], flagOptions: ["json"])
        _ = try arguments.requirePositionals([])
        let home = try Home(arguments)
        let (linker, store) = try await home.makeLinker()
        defer { Task { await store.close() } }
        let accounts = try await linker.accounts()
        var lastChecks: [String: SyncCheck] = [:]
        for account in accounts {
            lastChecks[account.id.rawValue] = try await linker.history(of: account.address).last
        }
        if arguments.flag("json") {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            var listed = accounts
            for index in listed.indices { listed[index].confirmation = nil }  // digests are nobody's business
            let checks = lastChecks.mapValues(LastCheck.init)
            print(String(decoding: try encoder.encode(Listing(accounts: listed, lastChecks: checks)), as: UTF8.self))
            return .success
        }
        if accounts.isEmpty { print("no linked accounts") }
        for account in accounts {
            var text = "\(account.address)  \(line(account))"
            if let check = lastChecks[account.id.rawValue] { text += "  last check \(describe(check))" }
            print(text)
        }
        return .success
    }

    /// The `--json` document: the accounts, and each one's last check by its identity.
    private struct Listing: Encodable {
        var accounts: [LinkedAccount]
        var lastChecks: [String: LastCheck]
    }

    /// A check as `--json` shows it: when, and what it fetched or why it failed.
    private struct LastCheck: Encodable {
        var time: Date
        var fetched: Int?
        var failure: String?
        init(_ check: SyncCheck) {
            time = check.time
            if let diagnosis = check.failure { failure = diagnosis.summary } else { fetched = check.fetched }
        }
    }

    /// `2026-12-02T18:40:00Z: 3 new` or `… failed: why`.
    static func describe(_ check: SyncCheck) -> String {
        let time = check.time.formatted(.iso8601)
        if let diagnosis = check.failure { return "\(time) failed: \(diagnosis.summary)" }
        return "\(time): \(check.fetched) new"
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
            + " over \(account.incomingProtocol)"
    }
}
