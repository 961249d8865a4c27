import Testing

@testable import POP3Protocol

@Suite("STAT, LIST and UIDL parsing")
struct POP3ListingTests {
    @Test("STAT's count and size")
    func stat() throws {
        #expect(try POP3MaildropStatus(parsing: "2 320") == POP3MaildropStatus(messageCount: 2, totalSize: 320))
        #expect(try POP3MaildropStatus(parsing: "0 0 extra words") == POP3MaildropStatus(messageCount: 0, totalSize: 0))
        #expect(throws: POP3Error.self) { try POP3MaildropStatus(parsing: "two 320") }
        #expect(throws: POP3Error.self) { try POP3MaildropStatus(parsing: "2") }
    }

    @Test("a LIST block, CRLF or LF, with trailing text ignored")
    func list() throws {
        let listing = try POP3MessageSize.parseListing(Array("1 120\r\n2 200 extra\n".utf8))
        #expect(listing == [POP3MessageSize(number: 1, size: 120), POP3MessageSize(number: 2, size: 200)])
    }

    @Test(
        "malformed LIST lines are refused", arguments: ["1", "x 1", "0 12", "1 -2", "1x 2", "99999999999999999999 1"])
    func listMalformed(line: String) {
        #expect(throws: POP3Error.self) { try POP3MessageSize.parseListing(Array((line + "\r\n").utf8)) }
    }

    @Test("a UIDL block (RFC 1939 §7 example)")
    func uidl() throws {
        let listing = try POP3UniqueID.parseListing(
            Array("1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n".utf8))
        #expect(
            listing == [
                POP3UniqueID(number: 1, uid: "whqtswO00WBw418f9t5JxYwZ"),
                POP3UniqueID(number: 2, uid: "QhdPYR:00WBw1Ph7x7"),
            ])
    }

    @Test("a UIDL line without a message number is refused")
    func uidlMalformed() {
        for line in ["abc", "x 1", "0 abc", "-1 abc", "1x abc", "99999999999999999999 abc"] {
            #expect(throws: POP3Error.self, "\(line)") { try POP3UniqueID.parseListing(Array((line + "\r\n").utf8)) }
        }
    }

    @Test("a 19-digit message number is refused, not an overflow (found by fuzzing)")
    func uidlHugeNumber() throws {
        // The crashing input the pop3-listing fuzz target found: the 19th digit overflowed Int.
        let input: [UInt8] =
            Array("1 120\r\n2 ".utf8) + [0, 0, 0, 0] + Array("273 extra\r\n 9999999999999999999999999\r\n".utf8)
        #expect(throws: POP3Error.self) { try POP3UniqueID.parseListing(input) }
        #expect(throws: POP3Error.self) { try POP3UniqueID.parseListing(Array("9999999999999999999 a\r\n".utf8)) }
        #expect(
            try POP3UniqueID.parseListing(Array("999999999999999999 a\r\n".utf8)).first?.number
                == 999_999_999_999_999_999)
    }

    @Test("ids that break RFC 1939 are kept whole, byte for byte, and flagged")
    func uidlNonConforming() throws {
        let long = String(repeating: "a", count: 71)
        var input = Array("1 abc def\r\n2 abc".utf8) + [0x01] + Array("def\r\n3 id-".utf8) + [0xC3, 0xB1]
        input += Array("\r\n4 abc\r\n5 \(long)\r\n6\r\n7  abc\r\n8 ab\rc\r\n9 id-".utf8) + [0xFF] + Array("\n".utf8)
        let listing = try POP3UniqueID.parseListing(input)
        #expect(listing.map(\.number) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(listing[0].uid == "abc def")
        #expect(listing[1].bytes == Array("abc".utf8) + [0x01] + Array("def".utf8))
        #expect(listing[2].uid == "id-ñ")
        #expect(listing[3].uid == "abc")
        #expect(listing[4].uid == long)
        #expect(listing[5].bytes.isEmpty)
        #expect(listing[6].uid == " abc")
        #expect(listing[7].bytes == Array("ab\rc".utf8))
        #expect(listing[8].bytes == Array("id-".utf8) + [0xFF])
        #expect(
            listing.map(\.defect) == [
                .forbiddenByte(0x20, offset: 3), .forbiddenByte(0x01, offset: 3), .forbiddenByte(0xC3, offset: 3), nil,
                .tooLong(length: 71), .empty, .forbiddenByte(0x20, offset: 0), .forbiddenByte(0x0D, offset: 2),
                .forbiddenByte(0xFF, offset: 3),
            ])
        // None of them collides with the conforming "abc".
        #expect(Set(listing.map(\.bytes)).count == listing.count)
    }

    @Test("a 70-character id of printable ASCII conforms")
    func uidlLongest() throws {
        let id = String(repeating: "~", count: 70)
        let entry = try #require(try POP3UniqueID.parseListing(Array("1 \(id)\r\n".utf8)).first)
        #expect(entry.isConforming)
        #expect(entry.uid == id)
    }

    @Test("UIDL n keeps the id's bytes too")
    func uidlSingle() throws {
        let response = try POP3Response(parsing: Array("+OK 3 id-".utf8) + [0xFF, 0x20, 0x41])
        #expect(try POP3UniqueID(parsing: response.textBytes).bytes == Array("id-".utf8) + [0xFF, 0x20, 0x41])
    }
}
