import Testing

@testable import AutoDiscovery

/// Builds DNS responses by hand, independent of the parser under test.
enum DNSBytes {
    static func name(_ text: String) -> [UInt8] {
        text.split(separator: ".").flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) } + [0]
    }

    static func header(id: UInt16 = 0x1234, flags: UInt16 = 0x8180, questions: UInt16 = 1, answers: UInt16) -> [UInt8] {
        [
            UInt8(id >> 8), UInt8(id & 0xff), UInt8(flags >> 8), UInt8(flags & 0xff), 0, UInt8(questions), 0,
            UInt8(answers), 0, 0, 0, 0,
        ]
    }

    static func question(_ qname: String, type: UInt16) -> [UInt8] {
        name(qname) + [0, UInt8(type), 0, 1]
    }

    /// A record whose owner is a pointer to offset 12 (the question name).
    static func record(type: UInt16, data: [UInt8]) -> [UInt8] {
        [0xc0, 12, 0, UInt8(type), 0, 1, 0, 0, 0x0e, 0x10, UInt8(data.count >> 8), UInt8(data.count & 0xff)] + data
    }
}

@Suite("DNS messages")
struct DNSMessageTests {
    @Test("a query encodes header, question and class IN")
    func encodesQuery() throws {
        let bytes = try DNSMessage.query(id: 0xabcd, name: "_pop3s._tcp.example.com", type: .srv)
        #expect(
            bytes == [0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0] + DNSBytes.name("_pop3s._tcp.example.com") + [
                0, 33, 0, 1,
            ])
        #expect(throws: DiscoveryError.self) {
            try DNSMessage.query(id: 1, name: String(repeating: "a", count: 64) + ".com", type: .a)
        }
    }

    @Test("A, AAAA, MX, SRV and CNAME answers decode, with compression pointers")
    func decodesAnswers() throws {
        var bytes = DNSBytes.header(answers: 5) + DNSBytes.question("example.com", type: 255)
        bytes += DNSBytes.record(type: 1, data: [192, 0, 2, 7])
        bytes += DNSBytes.record(type: 28, data: [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1])
        bytes += DNSBytes.record(type: 15, data: [0, 10] + [3] + Array("mx1".utf8) + [0xc0, 12])
        bytes += DNSBytes.record(type: 33, data: [0, 5, 0, 60, 0x03, 0xe3] + [4] + Array("mail".utf8) + [0xc0, 12])
        bytes += DNSBytes.record(type: 5, data: DNSBytes.name("Alias.Example.NET"))
        let message = try DNSMessage(parsing: bytes)
        #expect(message.id == 0x1234 && message.isResponse && !message.isTruncated && message.responseCode == 0)
        #expect(message.questions.first?.name == "example.com")
        #expect(
            message.answers.map(\.data) == [
                .address("192.0.2.7"), .address("2001:db8::1"), .mx(preference: 10, exchange: "mx1.example.com"),
                .srv(priority: 5, weight: 60, port: 995, target: "mail.example.com"), .cname("alias.example.net"),
            ])
    }

    @Test("names keep underscores, digits and hyphens and read in lower case; a 255-octet name fits")
    func nameCharacters() throws {
        let bytes = DNSBytes.header(answers: 0) + DNSBytes.question("_POP3S._tcp.Mail-2.Example.TEST", type: 33)
        #expect(try DNSMessage(parsing: bytes).questions.first?.name == "_pop3s._tcp.mail-2.example.test")
        let label63: [UInt8] = [63] + [UInt8](repeating: 0x61, count: 63)
        let label61: [UInt8] = [61] + [UInt8](repeating: 0x62, count: 61)
        let longest: [UInt8] = label63 + label63 + label63 + label61 + [0, 0, 1, 0, 1]
        let message = try DNSMessage(parsing: DNSBytes.header(answers: 0) + longest)
        let name = try #require(message.questions.first?.name)
        #expect(name.utf8.count == 253)
    }

    @Test("an SRV target of '.' decodes as an empty name")
    func rootTarget() throws {
        let bytes =
            DNSBytes.header(answers: 1) + DNSBytes.question("_pop3._tcp.x.test", type: 33)
            + DNSBytes.record(type: 33, data: [0, 0, 0, 0, 0, 0, 0])
        #expect(try DNSMessage(parsing: bytes).answers.first?.data == .srv(priority: 0, weight: 0, port: 0, target: ""))
    }

    @Test("the TC bit and the response code are read")
    func flags() throws {
        let message = try DNSMessage(
            parsing: DNSBytes.header(flags: 0x8383, answers: 0) + DNSBytes.question("x.test", type: 1))
        #expect(message.isTruncated)
        #expect(message.responseCode == 3)
    }

    static let hostile: [(String, [UInt8])] = [
        ("empty", []),
        ("short header", [0x12, 0x34, 0x81]),
        ("pointer to itself", DNSBytes.header(answers: 0) + [0xc0, 12, 0, 1, 0, 1]),
        ("pointer forwards", DNSBytes.header(answers: 0) + [0xc0, 20, 0, 1, 0, 1] + Array(repeating: 0, count: 10)),
        (
            "pointer loop between two names",
            DNSBytes.header(answers: 1) + DNSBytes.question("a.test", type: 1) + [1, 0x61, 0xc0, 20]
                + [0, 1, 0, 1, 0, 0, 0, 0, 0, 0]
        ),
        ("pointer past the end", DNSBytes.header(answers: 0) + [0xc0]),
        ("label past the end", DNSBytes.header(answers: 0) + [40, 0x61, 0x62]),
        ("reserved label type", DNSBytes.header(answers: 0) + [0x80, 0, 0, 1, 0, 1]),
        (
            "name over 255 octets",
            DNSBytes.header(answers: 0)
                + Array(repeating: [63] + Array(repeating: UInt8(0x61), count: 63), count: 5).flatMap { $0 } + [
                    0, 0, 1, 0, 1,
                ]
        ),
        (
            // 254 octets on the wire, but 0xff decoded as UTF-8 is U+FFFD: 753 bytes of text.
            "labels of bytes outside ASCII",
            DNSBytes.header(answers: 0)
                + Array(repeating: [63] + Array(repeating: UInt8(0xff), count: 63), count: 3).flatMap { $0 }
                + [60] + Array(repeating: UInt8(0xff), count: 60) + [0, 0, 1, 0, 1]
        ),
        ("a dot inside a label", DNSBytes.header(answers: 0) + [3, 0x61, 0x2e, 0x62, 0, 0, 1, 0, 1]),
        ("a space inside a label", DNSBytes.header(answers: 0) + [3, 0x61, 0x20, 0x62, 0, 0, 1, 0, 1]),
        (
            "truncated record",
            DNSBytes.header(answers: 1) + DNSBytes.question("a.test", type: 1) + [
                0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2,
            ]
        ),
        (
            "A record with 5 octets",
            DNSBytes.header(answers: 1) + DNSBytes.question("a.test", type: 1)
                + DNSBytes.record(type: 1, data: [1, 2, 3, 4, 5])
        ),
        (
            "MX name longer than its rdata",
            DNSBytes.header(answers: 1) + DNSBytes.question("a.test", type: 15) + [
                0xc0, 12, 0, 15, 0, 1, 0, 0, 0, 1, 0, 3, 0, 10, 5, 0x61, 0x62, 0x63, 0x64, 0x65, 0,
            ]
        ),
        ("counts larger than the message", DNSBytes.header(questions: 200, answers: 200)),
    ]

    @Test("hostile messages fail with malformedDNSMessage", arguments: 0..<hostile.count)
    func hostileMessages(_ index: Int) {
        let (label, bytes) = Self.hostile[index]
        do {
            _ = try DNSMessage(parsing: bytes)
            Issue.record("\(label) was accepted")
        } catch let error as DiscoveryError {
            #expect(error.code == .malformedDNSMessage, "\(label)")
        } catch {
            Issue.record("\(label): unexpected \(error)")
        }
    }

    @Test("IPv6 text follows RFC 5952")
    func ipv6Text() {
        #expect(
            DNSReader.ipv6Text([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]) == "2001:db8::1:0:0:1")
        #expect(DNSReader.ipv6Text(Array(repeating: 0, count: 15) + [1]) == "::1")
        #expect(DNSReader.ipv6Text([0, 1] + Array(repeating: 0, count: 14)) == "1::")
    }
}
