/// The fake servers' own base64 (RFC 4648 §4), so a bug in MailAuth's codec cannot hide on
/// both sides of a test.
enum FakeBase64 {
    private static let symbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(0) { $0 | Int($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                out.append(
                    position <= chunk.count
                        ? Character(UnicodeScalar(symbols[(value >> (18 - 6 * position)) & 63])) : "=")
            }
            index += 3
        }
        return out
    }

    /// Nil when `text` is not padded base64.
    static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        var index = 0
        while index < characters.count {
            var value = 0
            var padding = 0
            for offset in 0..<4 {
                let character = characters[index + offset]
                if character == UInt8(ascii: "=") {
                    guard index + 4 == characters.count, offset >= 2 else { return nil }
                    padding += 1
                    value <<= 6
                    continue
                }
                guard padding == 0, let symbol = symbols.firstIndex(of: character) else { return nil }
                value = value << 6 | symbol
            }
            out.append(UInt8(value >> 16 & 0xff))
            if padding < 2 { out.append(UInt8(value >> 8 & 0xff)) }
            if padding < 1 { out.append(UInt8(value & 0xff)) }
            index += 4
        }
        return out
    }
}
