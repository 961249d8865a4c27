/// Helpers shared by the MailMessage tests.
enum TestBytes {
    /// The UTF-8 bytes of `text` with every LF turned into CRLF.
    static func crlf(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            if byte == 0x0A { bytes.append(0x0D) }
            bytes.append(byte)
        }
        return bytes
    }

    /// The UTF-8 bytes of `text` unchanged (bare LF line ends).
    static func lf(_ text: String) -> [UInt8] { Array(text.utf8) }
}
