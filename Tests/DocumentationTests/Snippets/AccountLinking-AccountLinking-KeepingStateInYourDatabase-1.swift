// Generated from Sources/AccountLinking/AccountLinking.docc/KeepingStateInYourDatabase.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import AccountLinking
import MailAuth

enum Snippet_AccountLinking_AccountLinking_KeepingStateInYourDatabase_1 {
    static func run() async throws {

        /// Secrets in the host's own vault (here a dictionary behind an actor, for the example).
        actor VaultCredentialStore: CredentialStore {
            private var vault: [AccountID: String] = [:]

            func secret(for account: AccountID) -> Credentials.Secret? {
                vault[account].map { .password($0) }
            }

            func setSecret(_ secret: Credentials.Secret?, for account: AccountID) throws {
                switch secret {
                case .password(let password)?: vault[account] = password
                case .oauth2?: throw VaultError.tokensLiveElsewhere
                case nil: vault[account] = nil
                }
            }

            enum VaultError: Error { case tokensLiveElsewhere }
        }
        let credentials: any CredentialStore = VaultCredentialStore()
        _ = credentials
    }
}
