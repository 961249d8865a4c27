// Generated from Sources/MailTesting/MailTesting.docc/MailTesting.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailTesting
import MailTransport

enum Snippet_MailTesting_MailTesting_MailTesting_1 {
    static func run() async throws {

        func makeNetwork() -> (FakePOP3Server, FakeSMTPServer, FakeNetwork) {
            let accounts = SASLServerAccounts(passwords: ["ann@example.net": "pw"])
            let pop3 = FakePOP3Server(accounts: accounts)
            pop3.deliver(FakePOP3Message(uid: "m1", text: "Subject: hello\n\nfirst message\n"), to: "ann@example.net")
            let smtp = FakeSMTPServer(accounts: accounts)
            let network = FakeNetwork(["pop.example.net": pop3.connector, "smtp.example.net": smtp.connector])
            return (pop3, smtp, network)
        }
    }
}
