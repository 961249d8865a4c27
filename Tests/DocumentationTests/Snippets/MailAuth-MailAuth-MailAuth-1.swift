// Generated from Sources/MailAuth/MailAuth.docc/MailAuth.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailAuth

enum Snippet_MailAuth_MailAuth_MailAuth_1 {
    static func run() async throws {

        let credentials = Credentials(user: "someone@example.com", secret: .password("app-password"))
        let selector = SASLMechanismSelector(isConnectionSecure: true)
        let kind = try selector.choose(from: ["PLAIN", "LOGIN", "SCRAM-SHA-256"], for: credentials.kind)
        var mechanism = try await credentials.makeMechanism(kind)       // SCRAM-SHA-256
        let initial = try mechanism.start(initialResponseAllowed: true)  // C: AUTH SCRAM-SHA-256 <base64>
        print(initial.map(SASLCodec.encode) ?? "")
        func answer(_ challenge: [UInt8]) throws -> SASLStep {           // S: 334 <base64>  →  C: <base64>
            try mechanism.respond(to: challenge)
        }
        _ = answer
    }
}
