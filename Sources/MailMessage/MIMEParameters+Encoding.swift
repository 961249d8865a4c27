extension MIMEParameters {
    /// RFC 2045 `tspecials` and other bytes that force a value into quotes.
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x21, 0x23...0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x30...0x39, 0x41...0x5A, 0x5E...0x7E: return true
        default: return false
        }
    }

    /// The parameters as written after a media type: `; name=value`, quoted when needed, and
    /// RFC 2231 extended form (`name*=utf-8''…`, split into `name*N*` sections so no line
    /// exceeds 78 characters) for non-ASCII or very long values. Each parameter starts on a
    /// folded line of its own.
    /// - Throws: ``MessageError`` with `headerInjection` for CR, LF or NUL in a value.
    func encoded() throws(MessageError) -> String {
        var output = ""
        for parameter in parameters {
            let bytes = Array(parameter.value.utf8)
            guard !bytes.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }) else {
                throw MessageError(.headerInjection, "a parameter value contains CR, LF or NUL")
            }
            let name = parameter.name
            guard !name.isEmpty, name.utf8.allSatisfy({ MIMEParameters.isToken($0) && $0 != 0x2A && $0 != 0x27 && $0 != 0x25 }) else {
                throw MessageError(.headerInjection, "a parameter name has a character not allowed in a token")
            }
            let ascii = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
            if ascii, bytes.count + name.utf8.count < 70 {
                if !bytes.isEmpty, bytes.allSatisfy(MIMEParameters.isToken) {
                    output += ";\r\n \(name)=\(parameter.value)"
                } else {
                    var quoted = ""
                    for character in parameter.value {
                        if character == "\"" || character == "\\" { quoted.append("\\") }
                        quoted.append(character)
                    }
                    output += ";\r\n \(name)=\"\(quoted)\""
                }
                continue
            }
            // RFC 2231 §4: percent-encode everything but attribute-chars, split on whole escapes.
            var pieces: [String] = []
            var current = "utf-8''"
            for scalar in parameter.value.unicodeScalars {
                // Whole characters per section, so no reader sees half a UTF-8 sequence.
                var piece = ""
                for byte in String(scalar).utf8 {
                    if MIMEParameters.isToken(byte), byte != 0x25, byte != 0x27, byte != 0x2A {
                        piece.unicodeScalars.append(UnicodeScalar(byte))
                    } else {
                        let digits = [0x25, QuotedPrintable.hexDigits[Int(byte >> 4)], QuotedPrintable.hexDigits[Int(byte & 0x0F)]]
                        piece += String(decoding: digits, as: UTF8.self)
                    }
                }
                if current.utf8.count + piece.utf8.count > 60 {
                    pieces.append(current)
                    current = ""
                }
                current += piece
            }
            pieces.append(current)
            if pieces.count == 1 {
                output += ";\r\n \(name)*=\(pieces[0])"
            } else {
                for (number, piece) in pieces.enumerated() {
                    output += ";\r\n \(name)*\(number)*=\(piece)"
                }
            }
        }
        return output
    }
}
