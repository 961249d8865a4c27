import Foundation
import Testing

@testable import FolderRouting

@Suite("Folder")
struct FolderTests {
    @Test("the Inbox has no components and is named INBOX")
    func inbox() throws {
        #expect(Folder.inbox.isInbox)
        #expect(Folder.inbox.path == "INBOX")
        #expect(try Folder(path: "inbox") == .inbox)
    }

    @Test("a nested path splits on slashes and keeps its parent")
    func nested() throws {
        let folder = try Folder(path: "Work/Clients")
        #expect(folder.components == ["Work", "Clients"])
        #expect(folder.parent == (try Folder(["Work"])))
        #expect(folder.name == "Clients")
    }

    @Test(
        "names with a dot, a slash, a control character, surrounding spaces or too many letters are refused",
        arguments: [
            "a.b", "a/b", "a\u{7}b", " a", "a ", "", String(repeating: "x", count: 65), "INBOX",
        ])
    func refused(name: String) {
        #expect(throws: MailStoreError.self) { try Folder([name]) }
    }

    @Test(
        "an account address becomes a readable folder name",
        arguments: [
            ("alice@example.com", "alice@example_com"),
            ("a/b\\c", "a_b_c"),
            ("  Bob \t  Smith\n", "Bob Smith"),
            ("tab\u{0}\u{1}bed", "tabbed"),
            ("Почта.ру", "Почта_ру"),
            ("", "Account"),
            ("\u{7}", "Account"),
            ("inbox", "inbox_"),
        ])
    func safeName(input: String, expected: String) throws {
        let safe = Folder.safeComponent(input)
        #expect(safe == expected)
        #expect(Folder.isValidComponent(safe))
        _ = try Folder([safe])
    }

    @Test("a very long account name is cut to the maximum length and stays valid")
    func long() {
        let safe = Folder.safeComponent(String(repeating: "я", count: 500))
        #expect(safe.unicodeScalars.count == Folder.maximumComponentLength)
        #expect(Folder.isValidComponent(safe))
    }

    @Test("two accounts whose safe names collide get distinct folders")
    func unique() throws {
        let first = Folder.named(afterAccount: "a.b@x.org", avoiding: [])
        let second = Folder.named(afterAccount: "a_b@x.org", avoiding: [first])
        let third = Folder.named(afterAccount: "A.B@X.ORG", avoiding: [first, second])
        #expect(first.path == "a_b@x_org")
        #expect(second.path == "a_b@x_org (2)")
        #expect(third.path == "A_B@X_ORG (3)")
        let underNested = Folder.named(afterAccount: "work", avoiding: [try Folder(["Work", "Clients"])])
        #expect(underNested.path == "work (2)")
        let long = Folder.named(
            afterAccount: String(repeating: "z", count: 80),
            avoiding: [
                Folder.named(afterAccount: String(repeating: "z", count: 80), avoiding: [])
            ])
        #expect(long.name.hasSuffix(" (2)"))
        #expect(Folder.isValidComponent(long.name))
    }

    @Test("a folder encodes as its components and decodes with validation")
    func codable() throws {
        let folder = try Folder(["Work", "Клиенты"])
        let data = try JSONEncoder().encode(folder)
        #expect(try JSONDecoder().decode(Folder.self, from: data) == folder)
        #expect(try JSONDecoder().decode(Folder.self, from: Data("[]".utf8)) == .inbox)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Folder.self, from: Data("[\"a.b\"]".utf8)) }
    }
}
