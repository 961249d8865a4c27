import Testing

@testable import IMAPProtocol

@Suite("IMAPUIDSet")
struct IMAPUIDSetTests {
    @Test("UIDs in any order encode as merged ranges")
    func merges() {
        #expect(IMAPUIDSet([7, 1, 3, 2, 2]).description == "1:3,7")
    }

    @Test("the open-ended set encodes with a star")
    func star() {
        #expect(IMAPUIDSet.all.description == "1:*")
        #expect(IMAPUIDSet.starting(at: 40).description == "40:*")
    }

    @Test("a VANISHED set parses and counts", arguments: [("1:3,5", 4), ("9", 1), ("5:3", 3)])
    func parses(text: String, count: Int) {
        #expect(IMAPUIDSet(parsing: text)?.count == count)
    }

    @Test("malformed sets are refused", arguments: ["", "0", "1:", ",", "a", "4294967296", "1::2"])
    func malformed(text: String) {
        #expect(IMAPUIDSet(parsing: text) == nil)
    }
}
