// libFuzzer target for the POP3 reply parsers a server reaches first: status lines (+OK, -ERR,
// continuations, RFC 2449 response codes), the greeting's APOP timestamp, STAT's answer and
// CAPA's block. Built by scripts/fuzz/protocols/run.sh with the POP3Protocol wire sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPOP3Reply(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var start = 0
    while start <= bytes.count {
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let line = Array(bytes[start..<end])
        if let response = try? POP3Response(parsing: line) {
            // The text is the bytes as sent, decoded leniently; nothing is lost in between.
            precondition(
                response.text == String(decoding: response.textBytes, as: UTF8.self), "text and bytes disagree")
            precondition(response.textBytes.count < line.count, "the text is longer than its line")
            _ = response.description
            _ = response.code?.rawValue
            if response.isOK {
                _ = POP3Greeting(text: response.text).apopTimestamp
                _ = try? POP3MaildropStatus(parsing: response.text)
            }
        }
        start = end + 1
    }
    let capabilities = POP3Capabilities(parsing: bytes)
    _ = capabilities.saslMechanisms
    _ = capabilities.loginDelay
    _ = capabilities.expire
    _ = capabilities.implementation
    return 0
}
