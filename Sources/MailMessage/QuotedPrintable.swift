/// Quoted-printable content transfer encoding (RFC 2045 §6.7).
///
/// Decoding tolerates bare LF, lower-case hex, malformed escapes (kept literally) and white
/// space added at line ends in transit (removed, per rule 3). Encoding produces CRLF lines
/// of at most 76 characters.
public enum QuotedPrintable {
    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The value of a hex digit, either case.
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    /// Decodes quoted-printable bytes; line breaks come out as they went in (CRLF or LF).
    public static func decode<Bytes: Collection<UInt8>>(_ encoded: Bytes) -> [UInt8] {
        let input = Array(encoded)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            if byte == 0x3D {
                // Soft line break: "=" then optional transport white space then a line break.
                var look = index + 1
                while look < count, input[look] == 0x20 || input[look] == 0x09 { look += 1 }
                if look == count {
                    index = look
                    continue
                }
                if input[look] == 0x0A {
                    index = look + 1
                    continue
                }
                if input[look] == 0x0D {
                    index = (look + 1 < count && input[look + 1] == 0x0A) ? look + 2 : look + 1
                    continue
                }
                if index + 2 < count, let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                output.append(byte)
                index += 1
                continue
            }
            if byte == 0x20 || byte == 0x09 {
                // Trailing white space before a line break was added in transit: drop it.
                var look = index
                while look < count, input[look] == 0x20 || input[look] == 0x09 { look += 1 }
                if look == count || input[look] == 0x0A || input[look] == 0x0D {
                    index = look
                    continue
                }
                output.append(contentsOf: input[index..<look])
                index = look
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// Encodes text bytes: line breaks (LF or CRLF) become CRLF hard breaks, long lines get
    /// soft breaks so none exceeds 76 characters, and `=`, controls, 8-bit bytes and trailing
    /// white space are escaped.
    public static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 4)
        var column = 0
        var index = 0
        let maxColumn = 75  // leaves room for the "=" of a soft break
        func escape(_ byte: UInt8) -> [UInt8] {
            [0x3D, hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]]
        }
        while index < input.count {
            let byte = input[index]
            if byte == 0x0D, index + 1 < input.count, input[index + 1] == 0x0A {
                index += 1
                continue
            }
            if byte == 0x0A {
                output += [0x0D, 0x0A]
                column = 0
                index += 1
                continue
            }
            let atLineEnd =
                index + 1 == input.count || input[index + 1] == 0x0A
                || (input[index + 1] == 0x0D && index + 2 < input.count && input[index + 2] == 0x0A)
            let literal =
                (byte >= 0x21 && byte <= 0x7E && byte != 0x3D)
                || ((byte == 0x20 || byte == 0x09) && !atLineEnd)
            let piece = literal ? [byte] : escape(byte)
            if column + piece.count > maxColumn {
                output += [0x3D, 0x0D, 0x0A]
                column = 0
            }
            output += piece
            column += piece.count
            index += 1
        }
        return output
    }
}
