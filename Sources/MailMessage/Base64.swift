/// Base64 content transfer encoding (RFC 2045 §6.8) and the B encoding of RFC 2047 §4.1.
///
/// Decoding is tolerant: characters outside the alphabet (line breaks, stray spaces) are
/// skipped and missing padding is accepted, as received mail requires.
public enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0...63 for alphabet bytes, 0xFF otherwise.
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        table[Int(UInt8(ascii: "-"))] = 62  // base64url, seen in broken mailers
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Decodes base64, ignoring bytes outside the alphabet and stopping at padding.
    public static func decode<Bytes: Collection<UInt8>>(_ encoded: Bytes) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(encoded.count / 4 * 3 + 3)
        if encoded.withContiguousStorageIfAvailable({ decode($0, into: &output) }) != nil { return output }
        Array(encoded).withUnsafeBufferPointer { decode($0, into: &output) }
        return output
    }

    /// Decodes base64 bytes, appending to `output`.
    static func decode(_ encoded: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var accumulator: UInt32 = 0
        var bits = 0
        decodeTable.withUnsafeBufferPointer { table in
            for byte in encoded {
                let value = table[Int(byte)]
                if value == 0xFF {
                    if byte == 0x3D { break }
                    continue
                }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                }
            }
        }
    }

    /// Encodes bytes as one base64 string with padding and no line breaks.
    public static func encode<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        String(decoding: encodeBytes(bytes, lineLength: nil), as: UTF8.self)
    }

    /// Encodes bytes as base64 lines of `lineLength` characters ended by CRLF (76 is the
    /// RFC 2045 §6.8 maximum), or one unbroken run when `lineLength` is `nil`.
    public static func encodeBytes<Bytes: Collection<UInt8>>(_ bytes: Bytes, lineLength: Int? = 76) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 3 * 4 + 4 + input.count / 38)
        var column = 0
        let lineLength = lineLength.map { max(4, $0 / 4 * 4) }
        var index = 0
        func put(_ byte: UInt8) {
            output.append(byte)
            column += 1
        }
        while index < input.count {
            let remaining = input.count - index
            let b0 = UInt32(input[index])
            let b1 = remaining > 1 ? UInt32(input[index + 1]) : 0
            let b2 = remaining > 2 ? UInt32(input[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            put(alphabet[Int(triple >> 18 & 0x3F)])
            put(alphabet[Int(triple >> 12 & 0x3F)])
            put(remaining > 1 ? alphabet[Int(triple >> 6 & 0x3F)] : 0x3D)
            put(remaining > 2 ? alphabet[Int(triple & 0x3F)] : 0x3D)
            index += 3
            if let lineLength, column >= lineLength {
                output.append(0x0D)
                output.append(0x0A)
                column = 0
            }
        }
        if lineLength != nil, column > 0 {
            output.append(0x0D)
            output.append(0x0A)
        }
        return output
    }
}
