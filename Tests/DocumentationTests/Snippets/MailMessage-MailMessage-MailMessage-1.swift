// Generated from Sources/MailMessage/MailMessage.docc/MailMessage.md, example 1, by DocumentationSnippetTests: edit the
// document, then run `MAILLINK_WRITE_SNIPPETS=1 swift test --filter DocumentationSnippetTests`.
import MailMessage

enum Snippet_MailMessage_MailMessage_MailMessage_1 {
    static func run() async throws {

        let bytes = Array("From: Anna <anna@example.ru>\r\nSubject: =?UTF-8?B?0J/RgNC40LLQtdGC?=\r\n\r\nHello\r\n".utf8)
        let message = try MIMEPart(parsing: bytes)
        let subject = message.header["Subject"]                 // RFC 2047 decoded: "Привет"
        let from = message.header.field(named: "From").map(AddressList.init(field:))
        print(subject ?? "", from ?? "", message.textBody ?? "")
        for attachment in message.attachments { print(attachment.filename ?? "unnamed") }
    }
}
