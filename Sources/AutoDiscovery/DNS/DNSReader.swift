/// A bounds-checked cursor over a DNS message.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0

    /// Most compression pointers followed in one name.
    static let maximumPointers = 64

    static func malformed(_ what: String) -> DiscoveryError {
        DiscoveryError(.malformedDNSMessage, what)
    }

    mutating func u8() throws -> UInt8 {
        guard offset < bytes.count else { throw Self.malformed("message ends early at \(offset)") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws -> UInt16 {
        UInt16(try u8()) << 8 | UInt16(try u8())
    }

    mutating func u32() throws -> UInt32 {
        UInt32(try u16()) << 16 | UInt32(try u16())
    }

    /// Reads a possibly compressed name at the cursor, lower-cased, without the final dot.
    mutating func name() throws -> String {
        var labels: [String] = []
        var position = offset
        var resumeAt: Int?
        var pointers = 0
        var length = 1
        // Pointers must go strictly backwards from the start of the label they replace.
        var lowestAllowed = offset
        while true {
            guard position < bytes.count else { throw Self.malformed("name runs past the end") }
            let byte = bytes[position]
            switch byte & 0xc0 {
            case 0x00:
                if byte == 0 {
                    offset = resumeAt ?? position + 1
                    return labels.joined(separator: ".")
                }
                let count = Int(byte)
                guard position + 1 + count <= bytes.count else { throw Self.malformed("label runs past the end") }
                length += count + 1
                guard length <= 255 else { throw Self.malformed("name longer than 255 octets") }
                labels.append(try Self.label(bytes[(position + 1)...(position + count)]))
                position += 1 + count
            case 0xc0:
                guard position + 1 < bytes.count else { throw Self.malformed("pointer runs past the end") }
                let target = Int(byte & 0x3f) << 8 | Int(bytes[position + 1])
                pointers += 1
                guard pointers <= Self.maximumPointers else { throw Self.malformed("too many compression pointers") }
                guard target < lowestAllowed else {
                    throw Self.malformed("compression pointer does not point backwards")
                }
                if resumeAt == nil { resumeAt = position + 2 }
                lowestAllowed = target
                position = target
            default:
                throw Self.malformed("reserved label type 0x\(String(byte, radix: 16))")
            }
        }
    }

    /// A label as lower-case text. Host names are ASCII on the wire (international names travel as
    /// A-labels, RFC 5890 §2.3.2.1), so a byte outside printable ASCII, or a dot inside a label
    /// (which would read as two labels), makes the message malformed: decoding such bytes as
    /// UTF-8 would also let a 255-octet name (RFC 1035 §2.3.4) grow past 255 bytes of text.
    static func label(_ bytes: ArraySlice<UInt8>) throws -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        for byte in bytes {
            guard byte > 0x20, byte < 0x7f, byte != UInt8(ascii: ".") else {
                throw malformed("label byte 0x\(String(byte, radix: 16)) is not a host name character")
            }
            text.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 0x20 : byte)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Reads one resource record.
    mutating func record() throws -> DNSRecord {
        let owner = try name()
        let type = DNSRecordType(rawValue: try u16())
        _ = try u16()
        let ttl = try u32()
        let dataLength = Int(try u16())
        let dataStart = offset
        guard dataStart + dataLength <= bytes.count else { throw Self.malformed("record data runs past the end") }
        let data: DNSRecord.Data
        switch type {
        case .a:
            guard dataLength == 4 else { throw Self.malformed("A record of \(dataLength) octets") }
            data = .address(bytes[dataStart..<dataStart + 4].map { String($0) }.joined(separator: "."))
        case .aaaa:
            guard dataLength == 16 else { throw Self.malformed("AAAA record of \(dataLength) octets") }
            data = .address(Self.ipv6Text(Array(bytes[dataStart..<dataStart + 16])))
        case .mx:
            let preference = try u16()
            data = .mx(preference: preference, exchange: try name())
        case .srv:
            let priority = try u16(), weight = try u16(), port = try u16()
            data = .srv(priority: priority, weight: weight, port: port, target: try name())
        case .cname:
            data = .cname(try name())
        default:
            data = .other
        }
        guard offset <= dataStart + dataLength else { throw Self.malformed("record data longer than its length") }
        offset = dataStart + dataLength
        return DNSRecord(name: owner, type: type, ttl: ttl, data: data)
    }

    /// RFC 5952 text: lower-case hex, the longest run of zero groups (two or more) as `::`.
    static func ipv6Text(_ octets: [UInt8]) -> String {
        let groups = stride(from: 0, to: 16, by: 2).map { UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]) }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8, groups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { return groups.map { String($0, radix: 16) }.joined(separator: ":") }
        let head = groups[..<bestStart].map { String($0, radix: 16) }.joined(separator: ":")
        let tail = groups[(bestStart + bestLength)...].map { String($0, radix: 16) }.joined(separator: ":")
        return head + "::" + tail
    }
}
