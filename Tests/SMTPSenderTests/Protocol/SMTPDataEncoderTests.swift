import Testing

@testable import SMTPSender

@Suite("SMTPDataEncoder")
struct SMTPDataEncoderTests {
    private func encode(_ text: String) -> String {
        String(decoding: SMTPDataEncoder.encode(Array(text.utf8)), as: UTF8.self)
    }

    @Test("CRLF text passes through and gets the terminator")
    func passThrough() {
        #expect(encode("Subject: x\r\n\r\nhello\r\n") == "Subject: x\r\n\r\nhello\r\n.\r\n")
    }

    @Test("bare LF and bare CR become CRLF")
    func normalises() {
        #expect(encode("a\nb\rc\r\nd\n") == "a\r\nb\r\nc\r\nd\r\n.\r\n")
        #expect(encode("a\r\r\nb") == "a\r\n\r\nb\r\n.\r\n")
        #expect(encode("\n\n") == "\r\n\r\n.\r\n")
    }

    @Test("a line starting with a dot gets one more dot, wherever the line end came from")
    func dotStuffing() {
        #expect(encode(".\r\n..x\n.y\r.") == "..\r\n...x\r\n..y\r\n..\r\n.\r\n")
        #expect(encode("a.b\r\n") == "a.b\r\n.\r\n")
    }

    @Test("a message without a final line end gets one before the terminator")
    func missingFinalLineEnd() {
        #expect(encode("no newline") == "no newline\r\n.\r\n")
        #expect(encode("") == ".\r\n")
    }

    @Test("splitting the input anywhere gives the same bytes", arguments: [1, 2, 3, 7])
    func chunkBoundaries(chunkSize: Int) {
        let input = Array("x\r\n.\r\n..\r\r\n\n.a\rb\r".utf8)
        var encoder = SMTPDataEncoder()
        var output: [UInt8] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + chunkSize)
            encoder.encode(input[offset..<end], into: &output)
            offset = end
        }
        encoder.finish(into: &output)
        #expect(output == SMTPDataEncoder.encode(input))
        #expect(String(decoding: output, as: UTF8.self) == "x\r\n..\r\n...\r\n\r\n\r\n..a\r\nb\r\n.\r\n")
    }

    @Test("arbitrary bytes round-trip through a reference decoder")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = [0x0d, 0x0a, UInt8(ascii: "."), UInt8(ascii: "a"), 0xff]
        for _ in 0..<200 {
            let input = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator) ?? 0
            }
            let encoded = SMTPDataEncoder.encode(input)
            // Every line ends in CRLF, no bare CR or LF, and unstuffing gives the normalised input.
            var lines: [[UInt8]] = []
            var current: [UInt8] = []
            var index = 0
            var ok = true
            while index < encoded.count {
                if encoded[index] == 0x0d {
                    ok = ok && index + 1 < encoded.count && encoded[index + 1] == 0x0a
                    lines.append(current)
                    current = []
                    index += 2
                } else {
                    ok = ok && encoded[index] != 0x0a
                    current.append(encoded[index])
                    index += 1
                }
            }
            #expect(ok && current.isEmpty && lines.last == [UInt8(ascii: ".")])
            let body = lines.dropLast().map { $0.first == UInt8(ascii: ".") ? Array($0.dropFirst()) : $0 }
            var normalised: [UInt8] = []
            var previousCR = false
            for byte in input {
                if byte == 0x0a, previousCR { previousCR = false; continue }
                previousCR = byte == 0x0d
                normalised += byte == 0x0d || byte == 0x0a ? [0x0d, 0x0a] : [byte]
            }
            if let last = normalised.last, last != 0x0a { normalised += [0x0d, 0x0a] }
            #expect(body.flatMap { $0 + [0x0d, 0x0a] } == normalised)
        }
    }

    @Test("for BDAT nothing is dot-stuffed and there is no terminator, only a completed last line")
    func withoutDotStuffing() {
        var encoder = SMTPDataEncoder(dotStuffing: false)
        var output: [UInt8] = []
        encoder.encode(Array(".one\n..two\r".utf8), into: &output)
        encoder.encode(Array("\n.\nend".utf8), into: &output)
        encoder.finishLine(into: &output)
        #expect(String(decoding: output, as: UTF8.self) == ".one\r\n..two\r\n.\r\nend\r\n")
        var empty: [UInt8] = []
        encoder.finishLine(into: &empty)
        #expect(empty.isEmpty)
    }
}
