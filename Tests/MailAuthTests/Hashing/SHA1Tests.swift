import MailAuth
import Testing

@Suite("SHA-1")
struct SHA1Tests {
    @Test(
        "reproduces the FIPS 180-4 example digests",
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            (
                "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "a49b2446a02c645bf419f995b67091253a04a259"
            ),
        ])
    func examples(input: String, digest: String) {
        #expect(HexEncoding.encode(SHA1.hash(input)) == digest)
    }

    @Test("hashes one million 'a' fed in uneven pieces")
    func millionA() {
        var hasher = SHA1()
        let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 999)
        var fed = 0
        while fed < 1_000_000 {
            let count = min(piece.count, 1_000_000 - fed)
            hasher.update(Array(piece.prefix(count)))
            fed += count
        }
        #expect(HexEncoding.encode(hasher.finalize()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }
}
