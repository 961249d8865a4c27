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

    @Test("malformed LIST lines are refused", arguments: ["1", "x 1", "0 12", "1 -2", "1x 2", "99999999999999999999 1"])
    func listMalformed(line: String) {
        #expect(throws: POP3Error.self) { try POP3MessageSize.parseListing(Array((line + "\r\n").utf8)) }
    }

    @Test("a UIDL block (RFC 1939 §7 example)")
    func uidl() throws {
        let listing = try POP3UniqueID.parseListing(Array("1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n".utf8))
        #expect(listing == [POP3UniqueID(number: 1, uid: "whqtswO00WBw418f9t5JxYwZ"), POP3UniqueID(number: 2, uid: "QhdPYR:00WBw1Ph7x7")])
    }

    @Test("UIDL ids that are empty or longer than 70 characters are refused")
    func uidlMalformed() {
        #expect(throws: POP3Error.self) { try POP3UniqueID.parseListing(Array("1\r\n".utf8)) }
        #expect(throws: POP3Error.self) {
            try POP3UniqueID.parseListing(Array("1 \(String(repeating: "a", count: 71))\r\n".utf8))
        }
    }
}
