import MailAuth
import Testing

@Suite("MD5")
struct MD5Tests {
    @Test(
        "reproduces the RFC 1321 appendix A.5 test suite",
        arguments: [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ])
    func rfc1321Suite(input: String, digest: String) {
        #expect(HexEncoding.encode(MD5.hash(input)) == digest)
    }

    @Test("gives the same digest whatever the update sizes")
    func incrementalMatchesOneShot() {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for chunk in [1, 3, 63, 64, 65, 200] {
            var hasher = MD5()
            for start in stride(from: 0, to: message.count, by: chunk) {
                hasher.update(Array(message[start..<min(start + chunk, message.count)]))
            }
            #expect(hasher.finalize() == MD5.hash(message), "chunk size \(chunk)")
        }
    }
}
