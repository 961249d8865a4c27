// libFuzzer target for IMAPProtocol's response parser: the input is a server's byte stream,
// framed the way IMAPClient frames it (CRLF lines, `{n}` literals read by their announced size,
// each bounded), then every response is parsed. Properties checked: nothing crashes or hangs;
// a literal's content is exactly the size announced; the command encoder never lets CR or LF
// through inside an argument. Built by scripts/fuzz/imap/run.sh with the Wire and Errors sources.

let maximumLine = 4096
let maximumLiteral = 65536

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIMAPResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var offset = 0
    responses: while offset < bytes.count {
        var lines: [[UInt8]] = []
        var literals: [IMAPLiteralContent] = []
        while true {
            guard let newline = bytes[offset...].firstIndex(of: 0x0A), newline - offset < maximumLine else {
                break responses
            }
            var line = Array(bytes[offset..<newline])
            if line.last == 0x0D { line.removeLast() }
            offset = newline + 1
            lines.append(line)
            let announced: Int?
            do { announced = try IMAPLiteralAnnouncement.size(endingLine: line) } catch { break responses }
            guard let literalSize = announced else { break }
            guard literalSize <= maximumLiteral, literalSize <= bytes.count - offset else { break responses }
            let content = Array(bytes[offset..<(offset + literalSize)])
            offset += literalSize
            literals.append(
                IMAPLiteralAnnouncement.announcesMessageBody(line) ? .streamed(size: content.count) : .bytes(content))
        }
        let raw = IMAPRawResponse(lines: lines, literals: literals)
        if case .untagged(.fetch(_, let attributes))? = try? IMAPResponseParser.parse(raw) {
            switch attributes.body {
            case .bytes(let body)?: precondition(literals.contains(.bytes(body)) || body.count < maximumLine)
            case .streamed(let size)?: precondition(literals.contains(.streamed(size: size)))
            default: break
            }
        }
        _ = raw.summary
    }
    checkEncoder(bytes)
    return 0
}

/// Encodes commands with the input as arguments: CR and LF must never reach the wire inside
/// an argument, only as the line end and after a literal's announcement (`{n}` CRLF).
func checkEncoder(_ bytes: [UInt8]) {
    guard bytes.count < 2048 else { return }
    let text = String(decoding: bytes, as: UTF8.self)
    let clean = !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 }
    for options in [IMAPEncodingOptions(), IMAPEncodingOptions(literalMode: .nonSynchronizing, utf8Accepted: true)] {
        for command in [
            IMAPCommand.login(user: text, password: text), .select(IMAPMailboxName(wire: text), condStore: true),
            .id([("name", text)]), .uidStore(IMAPUIDSet([1]), .add, flags: [text], silent: true),
        ] {
            guard let encoded = try? command.encode(tag: "F1", options: options) else {
                if case .login = command { precondition(!clean, "LOGIN refused an argument without CR, LF or NUL") }
                continue
            }
            let wire = encoded.segments.flatMap { $0 }
            precondition(wire.suffix(2) == [0x0D, 0x0A], "a command without its line end")
            for index in wire.indices.dropLast(2) where wire[index] == 0x0A || wire[index] == 0x0D {
                let announcementEnd = wire[index] == 0x0D ? index : index - 1
                precondition(
                    announcementEnd > 0 && wire[announcementEnd - 1] == UInt8(ascii: "}")
                        && wire[announcementEnd] == 0x0D && announcementEnd + 1 < wire.count
                        && wire[announcementEnd + 1] == 0x0A,
                    "CR or LF smuggled into an argument")
            }
        }
    }
    _ = IMAPUIDSet(parsing: String(decoding: bytes.prefix(256), as: UTF8.self))
}
