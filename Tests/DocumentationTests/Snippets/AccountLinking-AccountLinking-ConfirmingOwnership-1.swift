// Generated from Sources/AccountLinking/AccountLinking.docc/ConfirmingOwnership.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import MailMessage

enum Snippet_AccountLinking_AccountLinking_ConfirmingOwnership_1 {
    static func run() async throws {

        func confirm(_ linkOrCode: String, with linker: AccountLinker) async {
            let events = await linker.syncEvents()
            do {
                let account = try await linker.confirm(linkOrCode)
                for await event in events where event.account == account.id {
                    print(event)  // sync started, 12 messages on the server, 12 new, … fetched 12 new messages
                    if case .finished = event.kind { break }
                    if case .failed = event.kind { break }
                }
            } catch let error as LinkDiagnosisError {
                print(error.diagnosis.summary)     // "the confirmation for … has expired"
                print(error.diagnosis.suggestion)  // "Send a new confirmation e-mail and use its link or code."
            } catch {
                print(error)
            }
        }
        _ = confirm
    }
}
