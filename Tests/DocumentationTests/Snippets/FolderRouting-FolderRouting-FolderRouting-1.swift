// Generated from Sources/FolderRouting/FolderRouting.docc/FolderRouting.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import FolderRouting

enum Snippet_FolderRouting_FolderRouting_FolderRouting_1 {
    static func run() async throws {

        let store = try await MaildirStore.open(at: "/home/me/Maildir")
        let router = MessageRouter(
            rules: [RoutingRule(name: "Lists", when: .listID(.hasSuffix(".swift.org")),
                                destination: .folder(try Folder(["Lists"])))],
            accounts: [.newFolder(for: "alice@example.com", avoiding: try await store.folders(), marker: .green)])
        let fetched: [(uidl: String, bytes: [UInt8])] = [("uidl-1", Array("Subject: hi\r\n\r\nhello\r\n".utf8))]
        let outcomes = try await store.deliver(fetched.map { message in   // one fsync round per batch
            IncomingMessage(
                bytes: message.bytes, decision: router.route(MessageFacts(account: "alice@example.com", parsing: message.bytes)),
                origin: MessageOrigin(account: "alice@example.com", uidl: message.uidl))
        })
        print(outcomes)   // [.delivered(…)]; a second run gives [.duplicate(…)]
        await store.close()
    }
}
