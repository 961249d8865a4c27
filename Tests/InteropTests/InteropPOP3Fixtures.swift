import Foundation

/// Test messages for the bench: each has a unique Message-ID so that retrieved messages can be
/// matched to what was dropped, and each is written with CRLF line ends (what Dovecot serves),
/// except where a test wants bare LF on purpose.
enum InteropPOP3Fixtures {
    static let crlf: [UInt8] = [13, 10]

    /// A unique Message-ID for `label`.
    static func messageID(_ label: String) -> String { "<\(label).\(UUID().uuidString)@maillink.test>" }

    /// A message: `headers` lines (CRLF-terminated), the Message-ID, a blank line, then `body` as is.
    static func message(id: String, subject: String, body: [UInt8], extraHeaders: [String] = []) -> [UInt8] {
        var headers = [
            "From: Interop Tests <tests@maillink.test>",
            "To: someone@example.test",
            "Subject: \(subject)",
            "Date: Thu, 26 Nov 2026 23:00:00 +0000",
            "Message-ID: \(id)",
            "MIME-Version: 1.0",
        ]
        headers += extraHeaders
        var bytes: [UInt8] = []
        for line in headers { bytes += Array(line.utf8) + crlf }
        return bytes + crlf + body
    }

    /// A small text message whose body is `lines` joined with CRLF (and ended by one).
    static func text(id: String, subject: String, lines: [String]) -> [UInt8] {
        message(
            id: id, subject: subject, body: lines.flatMap { Array($0.utf8) + crlf },
            extraHeaders: ["Content-Type: text/plain; charset=us-ascii"])
    }

    /// Lines that begin with a dot, which POP3 must dot-stuff (RFC 1939 §3) and the client unstuff.
    static func dotLines(id: String) -> [UInt8] {
        text(
            id: id, subject: "dots",
            lines: [
                "A line before the dots.", ".", "..", "...", ".hidden", "..double", ". space",
                "", ".", "the end is not here", ".",
            ])
    }

    /// Raw 8-bit bodies: a UTF-8 part and a Latin-1 part (bytes 0x80–0xFF that are not UTF-8).
    static func eightBit(id: String) -> [UInt8] {
        let utf8 = Array("Grüße aus Köln, naïve café, Ελληνικά, 日本語, emoji 📬".utf8)
        let latin1: [UInt8] =
            Array("Latin-1: ".utf8) + [0xE9, 0xE8, 0xE0, 0xFC, 0xDF, 0xA9, 0xFF, 0x80, 0x9F] + Array(" end".utf8)
        var body: [UInt8] = []
        body += Array("--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8)
        body += utf8 + crlf
        body += Array(
            "--b1\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".utf8)
        body += latin1 + crlf
        body += Array("--b1--\r\n".utf8)
        return message(
            id: id, subject: "8-bit", body: body,
            extraHeaders: ["Content-Type: multipart/mixed; boundary=\"b1\""])
    }

    /// A message with a base64 attachment of `byteCount` pseudo-random bytes (76-column lines).
    static func attachment(id: String, byteCount: Int) -> [UInt8] {
        var generator = SplitMix(seed: 0x6D61_696C_6C69_6E6B)
        var payload = [UInt8](repeating: 0, count: byteCount)
        for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: generator.next()) }
        let encoded = Data(payload).base64EncodedData(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        var body: [UInt8] = []
        body += Array("--b2\r\nContent-Type: text/plain\r\n\r\nSee the attachment.\r\n".utf8)
        body += Array(
            "--b2\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"blob.bin\"\r\n\r\n"
                .utf8)
        body += Array(encoded) + crlf
        body += Array("--b2--\r\n".utf8)
        return message(
            id: id, subject: "attachment", body: body,
            extraHeaders: ["Content-Type: multipart/mixed; boundary=\"b2\""])
    }

    /// `bytes` with every LF not preceded by CR turned into CRLF: what Dovecot serves for a
    /// message stored with bare LF line ends.
    static func normalizedToCRLF(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 32)
        var previous: UInt8 = 0
        for byte in bytes {
            if byte == 10, previous != 13 { result.append(13) }
            result.append(byte)
            previous = byte
        }
        return result
    }

    /// The header block of a message, up to and including the blank line.
    static func headerBlock(_ bytes: [UInt8]) -> [UInt8] {
        for index in bytes.indices.dropLast(3)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return Array(bytes[...(index + 3)])
        }
        return bytes
    }

    /// The value of the first `Message-ID:` header line, if any.
    static func messageID(in bytes: [UInt8]) -> String? {
        let header = String(decoding: headerBlock(bytes), as: UTF8.self)
        for line in header.split(separator: "\r\n") where line.lowercased().hasPrefix("message-id:") {
            return line.dropFirst("message-id:".count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// A tiny deterministic generator (SplitMix64), so a failing attachment is reproducible.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return value ^ (value >> 31)
        }
    }
}
