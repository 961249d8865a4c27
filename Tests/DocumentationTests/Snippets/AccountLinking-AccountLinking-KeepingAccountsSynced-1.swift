// Generated from Sources/AccountLinking/AccountLinking.docc/KeepingAccountsSynced.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking

enum Snippet_AccountLinking_AccountLinking_KeepingAccountsSynced_1 {
    static func run() async throws {

        func keepSynced(_ linker: AccountLinker) async throws {
            let events = await linker.syncEvents()
            let scheduler = try await linker.startScheduler(policy: SyncPolicy(maximumConcurrentSessions: 8))
            Task {
                for await event in events { print(event) }   // scheduled, started, listed, progress, finished…
            }
            await scheduler.checkNow()                       // every account, now ("check mail")
            try await Task.sleep(for: .seconds(60))
            await scheduler.stop(within: .seconds(10))       // at a batch boundary, then cancelled
        }
    }
}
