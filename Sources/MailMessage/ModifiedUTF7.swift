/// Modified UTF-7, the encoding of IMAP mailbox names (RFC 3501 §5.1.3).
///
/// Why here: Dovecot's Maildir++ layout stores folder names on disk in modified
/// UTF-7 unless the `UTF-8` layout option is set, so a Cyrillic folder written any
/// other way would show up garbled in every IMAP client. Printable ASCII stands for
/// itself except `&`, written `&-`; any other run of characters is UTF-16,
/// base64-encoded with `,` in place of `/` and no padding, between `&` and `-`:
/// `Почта` ↔ `&BB8EPgRHBEIEMA-`.
///
/// It lives in MailMessage so that both the Maildir layout (FolderRouting) and the IMAP client
/// (IMAPProtocol) use this one codec.
///
/// ```swift
/// ModifiedUTF7.encode("Entwürfe")          // "Entw&APw-rfe"
/// ModifiedUTF7.decode("&BB8EPgRHBEIEMA-")  // "Почта"
/// ```
public enum ModifiedUTF7 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,".utf8)

    /// Encodes a Unicode string (RFC 3501 §5.1.3).
    public static func encode(_ text: String) -> String {
        var output = [UInt8]()
        var pending = [UInt16]()
        func flush() {
            guard !pending.isEmpty else { return }
            output.append(UInt8(ascii: "&"))
            var bytes = [UInt8]()
            for unit in pending { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
            var index = 0
            while index < bytes.count {
                let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
                let value = chunk.enumerated().reduce(UInt32(0)) {
                    $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset))
                }
                let characters = chunk.count + 1
                for position in 0..<characters {
                    output.append(alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3F)])
                }
                index += 3
            }
            output.append(UInt8(ascii: "-"))
            pending.removeAll()
        }
        for scalar in text.unicodeScalars {
            if scalar.value >= 0x20 && scalar.value <= 0x7E {
                flush()
                output.append(UInt8(scalar.value))
                if scalar == "&" { output.append(UInt8(ascii: "-")) }
            } else {
                pending += Array(String(scalar).utf16)
            }
        }
        flush()
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes modified UTF-7 (RFC 3501 §5.1.3); `nil` when the text is not valid modified UTF-7.
    public static func decode(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var units = [UInt16]()
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 0x20 && byte <= 0x7E else { return nil }
            guard byte == UInt8(ascii: "&") else {
                units.append(UInt16(byte))
                index += 1
                continue
            }
            guard let end = bytes[(index + 1)...].firstIndex(of: UInt8(ascii: "-")) else { return nil }
            if end == index + 1 {
                units.append(UInt16(UInt8(ascii: "&")))
            } else {
                guard let decoded = decodeBase64(bytes[(index + 1)..<end]) else { return nil }
                units += decoded
            }
            index = end + 1
        }
        var result = ""
        for scalar in Unicode.UTF16.decoding(units) {
            guard let scalar else { return nil }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    private static func decodeBase64(_ characters: ArraySlice<UInt8>) -> [UInt16]? {
        var bits: UInt32 = 0
        var bitCount = 0
        var bytes = [UInt8]()
        for character in characters {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            bits = (bits << 6) | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                bytes.append(UInt8((bits >> UInt32(bitCount)) & 0xFF))
            }
        }
        guard bytes.count % 2 == 0, !bytes.isEmpty else { return nil }
        return stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    }
}

extension Unicode.UTF16 {
    fileprivate static func decoding(_ units: [UInt16]) -> [Unicode.Scalar?] {
        var iterator = units.makeIterator()
        var decoder = Unicode.UTF16()
        var scalars = [Unicode.Scalar?]()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: break loop
            case .error: scalars.append(nil)
            }
        }
        return scalars
    }
}
