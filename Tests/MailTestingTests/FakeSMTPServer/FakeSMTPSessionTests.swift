import Testing

@testable import MailTesting

@Suite("FakeSMTPSession parsing")
struct FakeSMTPSessionTests {
    @Test("paths with nested angle brackets or without brackets are syntax errors")
    func pathParsing() {
        #expect(FakeSMTPSession.parsePath("FROM:<a@b.c> SIZE=1", prefix: "FROM:")! == ("a@b.c", ["SIZE=1"]))
        #expect(FakeSMTPSession.parsePath("from: <a@b.c>", prefix: "FROM:")! == ("a@b.c", []))
        #expect(FakeSMTPSession.parsePath("FROM:a@b.c", prefix: "FROM:") == nil)
        #expect(FakeSMTPSession.parsePath("FROM:<<a@b.c>", prefix: "FROM:") == nil)
        #expect(FakeSMTPSession.parsePath("TO:<a@b.c>", prefix: "FROM:") == nil)
    }

    @Test("bare CR or LF in received data is detected")
    func bareLineEnds() {
        #expect(!FakeSMTPSession.hasBareLineFeed(Array("a\r\nb\r\n".utf8)))
        #expect(FakeSMTPSession.hasBareLineFeed(Array("a\nb\r\n".utf8)))
        #expect(FakeSMTPSession.hasBareLineFeed(Array("a\rb\r\n".utf8)))
        #expect(FakeSMTPSession.hasBareLineFeed(Array("a\r".utf8)))
    }
}
