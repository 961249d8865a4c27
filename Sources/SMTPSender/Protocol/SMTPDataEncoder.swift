/// Turns message bytes into the DATA stream in one pass (RFC 5321 §4.1.1.4, §4.5.2):
/// every line end becomes CRLF (bare CR and bare LF too, since §2.3.8 forbids them), every
/// line that starts with `.` gets one more `.` ("dot-stuffing"), and ``finish(into:)`` ends
/// the stream with `CRLF . CRLF`.
///
/// For BDAT (RFC 3030 §2) the same encoder runs with `dotStuffing: false`: line ends are still
/// made CRLF, but the data is counted instead of terminated, so nothing is stuffed, and
/// ``finishLine(into:)`` only completes a last line that lacks its line end.
///
/// It works on bytes and keeps two bits of state between chunks, so a 30 MB attachment is
/// encoded piecewise without building a String or a second full copy:
///
/// ```swift
/// var encoder = SMTPDataEncoder()
/// var chunk: [UInt8] = []
/// encoder.encode(message[0..<65536], into: &chunk)   // send chunk, clear it, continue…
/// encoder.finish(into: &chunk)                       // …then the terminator
/// ```
public struct SMTPDataEncoder: Sendable {
    /// Whether the next byte starts a line.
    private var atLineStart = true
    /// Whether the last byte was a CR (already written as CRLF), so an LF after it is dropped.
    private var afterCR = false

    /// Whether lines starting with `.` get one more (DATA); false for BDAT.
    public let dotStuffing: Bool

    /// A fresh encoder, at the start of a line; `dotStuffing: false` for BDAT chunks.
    public init(dotStuffing: Bool = true) {
        self.dotStuffing = dotStuffing
    }

    /// Appends the encoding of `input` to `output`.
    public mutating func encode(_ input: some Collection<UInt8>, into output: inout [UInt8]) {
        let handled: Void? = input.withContiguousStorageIfAvailable { buffer in
            encode(buffer: buffer, into: &output)
        }
        if handled == nil {
            let copy = Array(input)
            copy.withUnsafeBufferPointer { encode(buffer: $0, into: &output) }
        }
    }

    /// Ends the data: a CRLF if the content did not end with a line end, then `.` CRLF.
    public mutating func finish(into output: inout [UInt8]) {
        if !atLineStart { output += [0x0d, 0x0a] }
        output += [UInt8(ascii: "."), 0x0d, 0x0a]
        self = SMTPDataEncoder(dotStuffing: dotStuffing)
    }

    /// Ends BDAT data: a CRLF if the content did not end with a line end (RFC 5322 §2.1: a
    /// message is lines), and no terminator, since BDAT counts its octets.
    public mutating func finishLine(into output: inout [UInt8]) {
        if !atLineStart { output += [0x0d, 0x0a] }
        self = SMTPDataEncoder(dotStuffing: dotStuffing)
    }

    /// The whole message encoded at once, terminator included.
    public static func encode(_ message: [UInt8]) -> [UInt8] {
        var encoder = SMTPDataEncoder()
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 32 + 5)
        encoder.encode(message, into: &output)
        encoder.finish(into: &output)
        return output
    }

    private mutating func encode(buffer: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let count = buffer.count
        guard count > 0 else { return }
        output.reserveCapacity(output.count + count + count / 32 + 4)
        let cr: UInt8 = 0x0d, lf: UInt8 = 0x0a, dot = UInt8(ascii: ".")
        var index = 0
        if afterCR {
            afterCR = false
            if buffer[0] == lf { index = 1 }
        }
        while index < count {
            if atLineStart, dotStuffing, buffer[index] == dot { output.append(dot) }
            atLineStart = false
            // Copy the run up to the next CR or LF in one append.
            var end = index
            while end < count {
                let byte = buffer[end]
                if byte == cr || byte == lf { break }
                end += 1
            }
            if end > index { output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<end])) }
            guard end < count else { return }
            output.append(cr)
            output.append(lf)
            atLineStart = true
            if buffer[end] == cr {
                if end + 1 < count {
                    index = buffer[end + 1] == lf ? end + 2 : end + 1
                } else {
                    afterCR = true
                    index = end + 1
                }
            } else {
                index = end + 1
            }
        }
    }
}
