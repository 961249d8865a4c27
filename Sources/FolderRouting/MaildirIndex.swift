/// The records MaildirStore keeps beside the mail: which account and UIDL each message came from, and its marker.
///
/// An append-only text file, `maillink-index` at the store's root, one record per line,
/// fields separated by a space and percent-encoded (bytes outside 0x21–0x7E, `%`, and a
/// lone `-`, which stands for "none"):
///
/// ```
/// maillink-index 1
/// D 1764199000.M12P7Q1.host,S=2048 alice@example.com UID%20with%20space blue
/// K 1764199000.M12P7Q1.host,S=2048 #FF8800
/// ```
///
/// `D` records a delivery (base name, account, UIDL, marker) and is written and synced
/// *before* the message is renamed into `new/`; `K` changes a marker. A record counts
/// only while its message file exists in some folder's `new/` or `cur/`, so a record
/// left by a crash before the rename means "not delivered". A torn last line (a crash
/// in the middle of an append) is cut off when the store opens. The file is rewritten
/// atomically (temporary file, `fsync`, `rename`, `fsync` of the root) when dead records
/// outnumber live ones.
enum MaildirIndex {
    static let fileName = "maillink-index"
    static let header = "maillink-index 1\n"

    enum Record: Hashable, Sendable {
        case delivered(base: String, origin: MessageOrigin?, marker: MarkerColor?)
        case marked(base: String, marker: MarkerColor?)
    }

    static func line(for record: Record) -> String {
        switch record {
        case .delivered(let base, let origin, let marker):
            return ["D", encode(base), encode(origin?.account), encode(origin?.uidl), encode(marker?.description)]
                .joined(separator: " ") + "\n"
        case .marked(let base, let marker):
            return ["K", encode(base), encode(marker?.description)].joined(separator: " ") + "\n"
        }
    }

    /// The records of the complete lines in `bytes` (a torn last line is left out), and the
    /// length of the valid prefix (up to the last complete line). See ``forEachRecord(in:_:)``.
    static func parse(_ bytes: [UInt8]) -> (records: [Record], validLength: Int) {
        var records = [Record]()
        let validLength = forEachRecord(in: bytes) { records.append($0) }
        return (records, validLength)
    }

    /// The length of the valid prefix of `bytes`: up to and including the last newline.
    static func validLength(of bytes: [UInt8]) -> Int {
        bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
    }

    /// Hands `body` the record of each complete line in `bytes`, in order, and returns the
    /// length of the valid prefix. Read field by field from the bytes, one record at a time: the
    /// index is read at every open, and for a store of thousands of messages an array of all the
    /// records, a string per line and one per field cost a fifth of a sync pass with nothing new
    /// and a sixth of its heap. Consecutive records of the same account share one string.
    static func forEachRecord(in bytes: [UInt8], _ body: (Record) -> Void) -> Int {
        let newline = UInt8(ascii: "\n")
        let validLength = validLength(of: bytes)
        guard validLength > 0 else { return 0 }
        var account: (field: ArraySlice<UInt8>, value: String)?
        for line in bytes[..<validLength].split(separator: newline) {
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            switch fields.first {
            case [UInt8(ascii: "D")] where fields.count == 5:
                guard let base = decode(fields[1]) else { continue }
                var origin: MessageOrigin?
                if let uidl = decode(fields[3]) {
                    if let known = account, known.field == fields[2] {
                        origin = MessageOrigin(account: known.value, uidl: uidl)
                    } else if let value = decode(fields[2]) {
                        account = (fields[2], value)
                        origin = MessageOrigin(account: value, uidl: uidl)
                    }
                }
                body(.delivered(base: base, origin: origin, marker: decode(fields[4]).flatMap(MarkerColor.init)))
            case [UInt8(ascii: "K")] where fields.count == 3:
                guard let base = decode(fields[1]) else { continue }
                body(.marked(base: base, marker: decode(fields[2]).flatMap(MarkerColor.init)))
            default:
                continue
            }
        }
        return validLength
    }

    static func encode(_ value: String?) -> String {
        guard let value else { return "-" }
        if value == "-" { return "%2D" }
        var result = ""
        for byte in value.utf8 {
            if byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "%") {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            } else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }

    static func decode(_ field: ArraySlice<UInt8>) -> String? {
        guard field != [UInt8(ascii: "-")] else { return nil }
        guard field.contains(UInt8(ascii: "%")) else { return String(decoding: field, as: UTF8.self) }
        var bytes = [UInt8]()
        var iterator = field.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
