import Testing

@testable import POP3Protocol

/// Hostile input never crashes a parser: random and mutated lines either parse or throw.
@Suite("POP3 parsers under random input")
struct POP3ParserRobustnessTests {
    /// A small deterministic generator (SplitMix64), so a failure can be reproduced.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [[UInt8]] = [
        "+OK 2 320", "-ERR [IN-USE] locked", "+ PDE4OTY+", "1 120\r\n2 200\r\n", "1 whqtswO00WBw418f9t5JxYwZ\r\n",
        "TOP\r\nSASL PLAIN\r\nEXPIRE 30\r\nLOGIN-DELAY 900\r\n", "-ERR [SYS/TEMP/", "99999999999999999999 9",
    ].map { Array($0.utf8) }

    @Test("10,000 random and mutated inputs: no crash in the response, STAT, LIST, UIDL and CAPA parsers")
    func random() {
        var generator = Generator(state: 0x1939_2449)
        let alphabet = Array("+-OKER []/0123456789 \r\n.aZ\t".utf8) + [0, 0xFF, 0xC3]
        for round in 0..<10_000 {
            var input = Self.seeds[round % Self.seeds.count]
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let position = input.isEmpty ? 0 : Int.random(in: 0..<input.count, using: &generator)
                let byte = alphabet.randomElement(using: &generator) ?? 0
                switch Int.random(in: 0...2, using: &generator) {
                case 0 where !input.isEmpty: input[position] = byte
                case 1: input.insert(byte, at: position)
                default: if !input.isEmpty { input.remove(at: position) }
                }
            }
            _ = try? POP3Response(parsing: input)
            _ = try? POP3MaildropStatus(parsing: String(decoding: input, as: UTF8.self))
            _ = try? POP3MessageSize.parseListing(input)
            _ = try? POP3UniqueID.parseListing(input)
            _ = POP3Capabilities(parsing: input).loginDelay
            _ = POP3Greeting(text: String(decoding: input, as: UTF8.self)).apopTimestamp
        }
    }
}
