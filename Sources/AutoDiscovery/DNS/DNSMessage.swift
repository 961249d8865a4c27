/// The DNS wire format (RFC 1035 §4): queries out, responses in.
///
/// Parsing is defensive, because a response can come from anyone who can send a UDP packet:
/// every read is bounds-checked; compression pointers (§4.1.4) must point strictly backwards
/// to an earlier label, so loops are impossible, and at most 64 may be followed per name;
/// names are limited to 255 octets and labels to 63; record counts are capped by the bytes
/// actually present. Any violation is ``DiscoveryError/Code/malformedDNSMessage``.
struct DNSMessage: Sendable, Hashable {
    /// The message identifier.
    var id: UInt16
    /// QR: this is a response.
    var isResponse: Bool
    /// TC: the response was truncated (retry over TCP, RFC 7766).
    var isTruncated: Bool
    /// RCODE (0 no error, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED).
    var responseCode: UInt8
    /// The questions (name, type).
    var questions: [(name: String, type: DNSRecordType)]
    /// The answer section.
    var answers: [DNSRecord]

    static func == (left: DNSMessage, right: DNSMessage) -> Bool {
        left.id == right.id && left.isResponse == right.isResponse && left.isTruncated == right.isTruncated
            && left.responseCode == right.responseCode && left.answers == right.answers
            && left.questions.map(\.name) == right.questions.map(\.name)
            && left.questions.map(\.type) == right.questions.map(\.type)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(answers)
    }

    /// A recursive query (RD set) for one name and type, class IN.
    static func query(id: UInt16, name: String, type: DNSRecordType) throws -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        try appendName(name, to: &bytes)
        bytes += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xff), 0, 1]
        return bytes
    }

    /// Encodes a name as labels (no compression).
    static func appendName(_ name: String, to bytes: inout [UInt8]) throws {
        var total = 1
        for label in name.split(separator: ".") {
            let octets = Array(label.utf8)
            guard (1...63).contains(octets.count) else {
                throw DiscoveryError(.malformedDNSMessage, "label of \(octets.count) octets in a query name")
            }
            total += octets.count + 1
            guard total <= 255 else { throw DiscoveryError(.malformedDNSMessage, "query name longer than 255 octets") }
            bytes.append(UInt8(octets.count))
            bytes += octets
        }
        bytes.append(0)
    }

    /// Parses a message.
    init(parsing bytes: [UInt8]) throws {
        var reader = DNSReader(bytes: bytes)
        id = try reader.u16()
        let flags = try reader.u16()
        isResponse = flags & 0x8000 != 0
        isTruncated = flags & 0x0200 != 0
        responseCode = UInt8(flags & 0x000f)
        let questionCount = Int(try reader.u16())
        let answerCount = Int(try reader.u16())
        _ = try reader.u16()
        _ = try reader.u16()
        // A question takes at least 5 octets and a record 11: counts beyond that are lies.
        guard questionCount * 5 + answerCount * 11 <= bytes.count else {
            throw DiscoveryError(.malformedDNSMessage, "section counts exceed the message size")
        }
        var questions: [(name: String, type: DNSRecordType)] = []
        for _ in 0..<questionCount {
            let name = try reader.name()
            let type = DNSRecordType(rawValue: try reader.u16())
            _ = try reader.u16()
            questions.append((name, type))
        }
        self.questions = questions
        var answers: [DNSRecord] = []
        for _ in 0..<answerCount {
            answers.append(try reader.record())
        }
        self.answers = answers
    }
}
