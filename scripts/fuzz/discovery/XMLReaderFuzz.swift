// libFuzzer target for AutoDiscovery's XML reader (autoconfig files come from the network).
// Built by run.sh together with the reader's own sources; any crash, hang or sanitizer report fails.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMLReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = XMLReader.Limits()
    limits.maximumBytes = 64 * 1024
    guard let root = try? XMLReader(limits: limits).parse(bytes) else { return 0 }
    // Walk the whole tree as the config reader does, with an explicit stack.
    var stack = [root]
    var seen = 0
    while let element = stack.popLast() {
        seen += element.attributes.count + element.text.utf8.count
        _ = element.value("hostname")
        stack.append(contentsOf: element.children)
    }
    precondition(seen >= 0)
    return 0
}
