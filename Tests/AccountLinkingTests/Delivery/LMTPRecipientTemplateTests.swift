import AccountLinking
import FolderRouting
import SMTPSender
import Testing

@Suite("LMTPRecipientTemplate")
struct LMTPRecipientTemplateTests {
    let template: LMTPRecipientTemplate

    init() throws { template = try LMTPRecipientTemplate("judy+{folder}@example.test") }

    @Test("a folder becomes the address detail, nested levels joined with the server's separator")
    func nested() throws {
        #expect(try template.recipient(for: Folder(path: "Work")).address == "judy+Work@example.test")
        #expect(try template.recipient(for: Folder(path: "Work/Clients")).address == "judy+Work.Clients@example.test")
        let slashes = try LMTPRecipientTemplate("judy+{folder}@example.test", hierarchySeparator: "/")
        #expect(try slashes.recipient(for: Folder(path: "Work/Clients")).address == "judy+Work/Clients@example.test")
    }

    @Test("the Inbox drops the placeholder and the delimiter before it")
    func inbox() throws {
        #expect(try template.recipient(for: .inbox).address == "judy@example.test")
        #expect(
            try LMTPRecipientTemplate("judy-{folder}@example.test").recipient(for: .inbox).address
                == "judy@example.test")
    }

    @Test("a template without the placeholder sends everything to one address")
    func fixed() throws {
        #expect(
            try LMTPRecipientTemplate("judy@example.test").recipient(for: Folder(path: "Work")).address
                == "judy@example.test")
    }

    @Test("a folder named after an address makes a quoted local part")
    func quoted() throws {
        #expect(
            try template.recipient(for: Folder(["ivan@example_test"])).address
                == "\"judy+ivan@example_test\"@example.test")
    }

    @Test("a folder with a space makes a quoted local part, quotes and backslashes escaped")
    func spaces() throws {
        #expect(try template.recipient(for: Folder(["Old mailbox"])).address == "\"judy+Old mailbox\"@example.test")
        #expect(try template.recipient(for: Folder(["say \"hi\""])).address == "\"judy+say \\\"hi\\\"\"@example.test")
    }

    @Test("a folder with non-ASCII letters or angle brackets cannot be an address")
    func refused() throws {
        for name in ["Bücher", "a<b>"] {
            #expect(throws: MailStoreError.self) { try template.recipient(for: Folder([name])) }
        }
    }

    @Test("a template must be an address with the placeholder in its local part")
    func invalidTemplates() {
        for text in ["judy", "judy@{folder}.test", "{folder}+{folder}@example.test", "jüdy+{folder}@example.test"] {
            #expect(throws: MailStoreError.self) { try LMTPRecipientTemplate(text) }
        }
    }
}
