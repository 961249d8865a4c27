// libFuzzer target for AutoDiscovery's DNS message parser (answers come from anyone who can send UDP).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDNSMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? DNSMessage(parsing: bytes) else { return 0 }
    for record in message.answers {
        switch record.data {
        case .mx(_, let exchange): precondition(exchange.utf8.count <= 255)
        case .srv(_, _, _, let target): precondition(target.utf8.count <= 255)
        case .cname(let name): precondition(name.utf8.count <= 255)
        case .address, .other: break
        }
        precondition(record.name.utf8.count <= 255)
    }
    return 0
}
