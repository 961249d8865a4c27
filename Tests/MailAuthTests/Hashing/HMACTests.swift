import MailAuth
import Testing

@Suite("HMAC")
struct HMACTests {
    static let longKey = [UInt8](repeating: 0xaa, count: 131)

    @Test(
        "HMAC-SHA-256 reproduces the RFC 4231 test cases",
        arguments: [
            (
                hexBytes(String(repeating: "0b", count: 20)), utf8("Hi There"),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
            ),
            (
                utf8("Jefe"), utf8("what do ya want for nothing?"),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            ),
            (
                [UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
            ),
            (
                Array(1...25), [UInt8](repeating: 0xcd, count: 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
            ),
            (
                longKey, utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
            ),
            (
                longKey,
                utf8(
                    "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                ),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
            ),
        ] as [([UInt8], [UInt8], String)])
    func rfc4231(key: [UInt8], data: [UInt8], mac: String) {
        #expect(HexEncoding.encode(HMAC<SHA256>.authenticationCode(for: data, key: key)) == mac)
    }

    @Test("HMAC-MD5 reproduces the RFC 2202 test cases")
    func rfc2202MD5() {
        #expect(
            HexEncoding.encode(
                HMAC<MD5>.authenticationCode(for: utf8("Hi There"), key: [UInt8](repeating: 0x0b, count: 16)))
                == "9294727a3638bb1c13f48ef8158bfc9d")
        #expect(
            HexEncoding.encode(
                HMAC<MD5>.authenticationCode(for: utf8("what do ya want for nothing?"), key: utf8("Jefe")))
                == "750c783e6ab0b503eaa86e310a5db738")
        #expect(
            HexEncoding.encode(
                HMAC<MD5>.authenticationCode(
                    for: utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
                    key: [UInt8](repeating: 0xaa, count: 80)))
                == "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd")
    }

    @Test("HMAC-SHA-1 reproduces the RFC 2202 test cases")
    func rfc2202SHA1() {
        #expect(
            HexEncoding.encode(
                HMAC<SHA1>.authenticationCode(for: utf8("Hi There"), key: [UInt8](repeating: 0x0b, count: 20)))
                == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(
            HexEncoding.encode(
                HMAC<SHA1>.authenticationCode(for: utf8("what do ya want for nothing?"), key: utf8("Jefe")))
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(
            HexEncoding.encode(
                HMAC<SHA1>.authenticationCode(
                    for: utf8("Test Using Larger Than Block-Size Key - Hash Key First"),
                    key: [UInt8](repeating: 0xaa, count: 80)))
                == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }

    @Test("incremental updates give the one-shot MAC")
    func incremental() {
        var mac = HMAC<SHA256>(key: utf8("Jefe"))
        mac.update(utf8("what do ya "))
        mac.update(utf8("want for nothing?"))
        #expect(
            HexEncoding.encode(mac.finalize()) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
