// libFuzzer target for the SMTP reply parser (RFC 5321 §4.2: single and multi-line replies,
// enhanced status codes RFC 3463), EHLO capabilities (RFC 5321 §4.1.1.1) and the classification
// of failing replies. Properties: a reply never spans more lines than the bound, its code is a
// valid reply code, and every line the parser returns came from the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSMTPReply(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parser = SMTPReplyParser(maximumLineCount: 8)
    var start = 0
    while start < bytes.count {
        var end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let next = end + 1
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        do {
            if let reply = try parser.parse(line: Array(bytes[start..<end])) {
                precondition((200...559).contains(reply.code), "a reply code out of range")
                precondition(!reply.lines.isEmpty && reply.lines.count <= 8, "a reply exceeds its line bound")
                _ = reply.description
                _ = reply.enhancedStatus
                let capabilities = SMTPCapabilities(ehloReply: reply)
                _ = capabilities.authenticationMechanisms
                _ = capabilities.maximumMessageSize
                for step: SMTPError.Step in [.greeting, .startTLS, .authentication, .mail, .recipient, .data, .other] {
                    _ = SMTPError.classify(reply, during: step, address: "a@b.test").recoverySuggestion
                }
            }
        } catch {
            parser = SMTPReplyParser(maximumLineCount: 8)
        }
        start = next
    }
    return 0
}
