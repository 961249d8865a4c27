import Testing

@testable import POP3Protocol

@Suite("POP3UniqueIDAudit")
struct POP3UniqueIDAuditTests {
    private func listing(_ lines: [(Int, [UInt8])]) -> [POP3UniqueID] {
        lines.map { POP3UniqueID(number: $0.0, bytes: $0.1) }
    }

    @Test("a clean listing trusts every id")
    func clean() {
        let audit = POP3UniqueIDAudit([POP3UniqueID(number: 1, uid: "a"), POP3UniqueID(number: 2, uid: "b")])
        #expect(audit.isClean)
        #expect(audit.trustedID(of: 1) == "a")
        #expect(audit.trustedID(of: 2) == "b")
        #expect(audit.trustedID(of: 3) == nil)
    }

    @Test("two messages with the same id are both untrusted")
    func duplicates() {
        let audit = POP3UniqueIDAudit(
            [
                POP3UniqueID(number: 1, uid: "same"), POP3UniqueID(number: 2, uid: "other"),
                POP3UniqueID(number: 3, uid: "same"),
            ])
        #expect(audit.duplicated == [1, 3])
        #expect(!audit.isClean)
        #expect(audit.trustedID(of: 1) == nil && audit.trustedID(of: 3) == nil)
        #expect(audit.trustedID(of: 2) == "other")
    }

    @Test("ids are compared byte for byte: two ids that read alike as text are not duplicates")
    func byteComparison() {
        // 0xFF and 0xFE both decode to U+FFFD, yet they are different ids (both non-conforming).
        let audit = POP3UniqueIDAudit(listing([(1, [0x61, 0xFF]), (2, [0x61, 0xFE]), (3, Array("a".utf8))]))
        #expect(audit.duplicated.isEmpty)
        #expect(audit.nonConforming == [1, 2])
        #expect(audit.trustedID(of: 3) == "a")
    }

    @Test("ids with a space, a control or 8-bit text are non-conforming and untrusted")
    func nonConforming() {
        let audit = POP3UniqueIDAudit(
            listing([
                (1, Array("abc def".utf8)), (2, Array("abc".utf8) + [0x01] + Array("def".utf8)),
                (3, Array("id-ñ".utf8)),
                (4, Array("abc".utf8)), (5, []),
            ]))
        #expect(audit.nonConforming == [1, 2, 3, 5])
        #expect(audit.duplicated.isEmpty)
        #expect(audit.trustedIDs == [4: "abc"])
    }

    @Test("a message number listed twice is untrusted")
    func repeatedNumbers() {
        let audit = POP3UniqueIDAudit([POP3UniqueID(number: 1, uid: "a"), POP3UniqueID(number: 1, uid: "b")])
        #expect(audit.repeatedNumbers == [1])
        #expect(audit.trustedID(of: 1) == nil)
        #expect(!audit.isClean)
    }

    @Test("a group of three sharing an id is listed whole; a line repeated exactly is both repeated and duplicated")
    func groupsAndRepeatedLines() {
        let audit = POP3UniqueIDAudit(
            [
                POP3UniqueID(number: 4, uid: "x"), POP3UniqueID(number: 2, uid: "x"), POP3UniqueID(number: 7, uid: "x"),
                POP3UniqueID(number: 5, uid: "y"), POP3UniqueID(number: 5, uid: "y"), POP3UniqueID(number: 6, uid: "z"),
            ])
        #expect(audit.duplicated == [2, 4, 5, 7])
        #expect(audit.repeatedNumbers == [5])
        #expect(audit.trustedIDs == [6: "z"])
    }
}
