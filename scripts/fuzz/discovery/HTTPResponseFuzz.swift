// libFuzzer target for MailTransport's HTTP/1.1 response parser (autoconfig and OAuth servers can be hostile).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parser = HTTPResponseParser(maximumBody: 4096)
    for atEnd in [false, true] {
        if case .complete(_, _, let body)? = try? parser.parse(bytes, atEnd: atEnd) { precondition(body.count <= 4096) }
    }
    return 0
}
