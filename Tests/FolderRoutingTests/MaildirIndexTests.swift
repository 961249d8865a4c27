import Foundation
import Testing

@testable import FolderRouting

@Suite("MaildirIndex")
struct MaildirIndexTests {
    @Test("records round-trip through their line, whatever bytes the account and UIDL hold")
    func roundTrip() {
        let records: [MaildirIndex.Record] = [
            .delivered(base: "1.M2P3Q4.host,S=5", origin: MessageOrigin(account: "a b%c@d", uidl: "-"), marker: .blue),
            .delivered(base: "x", origin: nil, marker: nil),
            .delivered(
                base: "y", origin: MessageOrigin(account: "почта\n", uidl: "u\u{7F}"),
                marker: .custom(red: 1, green: 2, blue: 3)),
            .marked(base: "x", marker: .gray),
            .marked(base: "x", marker: nil),
        ]
        let text = MaildirIndex.header + records.map(MaildirIndex.line(for:)).joined()
        #expect(text.split(separator: "\n").count == records.count + 1)
        let parsed = MaildirIndex.parse(Array(text.utf8))
        #expect(parsed.records == records)
        #expect(parsed.validLength == text.utf8.count)
    }

    @Test("a torn last line and garbage lines are ignored")
    func torn() {
        let text = "maillink-index 1\nD a - - red\ngarbage\nK a blue\nD b - -"
        let parsed = MaildirIndex.parse(Array(text.utf8))
        #expect(
            parsed.records == [.delivered(base: "a", origin: nil, marker: .red), .marked(base: "a", marker: .blue)])
        #expect(parsed.validLength == text.utf8.count - "D b - -".utf8.count)
    }

    @Test("fields are read from the bytes: percent escapes decoded, invalid UTF-8 replaced, odd lines skipped")
    func fieldBytes() {
        var bytes = Array("maillink-index 1\nD 1.M2P3Q4.h%2CS=5 %2D u%41%4 -\nD a b".utf8)
        bytes += [0xFF, 0x20] + Array("c -\nDD x - - -\nK x\nD x - - - extra\nK y %23FF8800\n".utf8)
        let parsed = MaildirIndex.parse(bytes)
        #expect(
            parsed.records == [
                .delivered(base: "1.M2P3Q4.h,S=5", origin: MessageOrigin(account: "-", uidl: "uA%"), marker: nil),
                .delivered(base: "a", origin: MessageOrigin(account: "b\u{FFFD}", uidl: "c"), marker: nil),
                .marked(base: "y", marker: .custom(red: 0xFF, green: 0x88, blue: 0)),
            ])
        #expect(parsed.validLength == bytes.count)
    }

    @Test("records of interleaved accounts keep each its own account; a record without one has no origin")
    func interleavedAccounts() {
        let text =
            "maillink-index 1\nD a x@e u1 -\nD b x@e u2 -\nD c y@e u3 -\nD d - u4 -\nD e x@e - -\nD f x%40e u5 -\n"
        var records: [MaildirIndex.Record] = []
        let valid = MaildirIndex.forEachRecord(in: Array(text.utf8)) { records.append($0) }
        #expect(valid == text.utf8.count)
        #expect(
            records == [
                .delivered(base: "a", origin: MessageOrigin(account: "x@e", uidl: "u1"), marker: nil),
                .delivered(base: "b", origin: MessageOrigin(account: "x@e", uidl: "u2"), marker: nil),
                .delivered(base: "c", origin: MessageOrigin(account: "y@e", uidl: "u3"), marker: nil),
                .delivered(base: "d", origin: nil, marker: nil),
                .delivered(base: "e", origin: nil, marker: nil),
                .delivered(base: "f", origin: MessageOrigin(account: "x@e", uidl: "u5"), marker: nil),
            ])
        #expect(MaildirIndex.validLength(of: Array("a\nb".utf8)) == 2 && MaildirIndex.validLength(of: []) == 0)
    }

    @Test("Maildir names give their base, flags, size and writer")
    func fileNames() {
        let name = MaildirFileName(parsing: "1764199000.M123P42Q7.mail.example,S=2048,W=2100:2,RS")
        #expect(name.base == "1764199000.M123P42Q7.mail.example,S=2048,W=2100")
        #expect(name.flags == "RS")
        #expect(name.size == 2048)
        #expect(name.writer?.pid == 42)
        #expect(name.writer?.host == "mail.example")
        #expect(MaildirFileName(parsing: "odd").size == nil)
        #expect(MaildirNameMaker.escapedHost("a/b:c,d.e") == "a\\057b\\072c\\054d.e")
        var maker = MaildirNameMaker()
        let first = maker.next()
        #expect(first != maker.next())
        #expect(MaildirFileName(parsing: first).writer?.pid == getpid())
    }
}
