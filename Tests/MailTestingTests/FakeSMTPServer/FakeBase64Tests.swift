import Testing

@testable import MailTesting

@Suite("FakeBase64")
struct FakeBase64Tests {
    @Test("the fake's base64 round-trips and refuses bad input")
    func base64() {
        for count in 0..<10 {
            let bytes = (0..<count).map { UInt8($0 * 37 & 0xff) }
            #expect(FakeBase64.decode(FakeBase64.encode(bytes)) == bytes)
        }
        #expect(FakeBase64.encode(Array("\0tim\0pw".utf8)) == "AHRpbQBwdw==")
        #expect(FakeBase64.decode("abc") == nil)
        #expect(FakeBase64.decode("a=bc") == nil)
        #expect(FakeBase64.decode("ab!c") == nil)
    }
}
