// libFuzzer target for the POP3 listing parsers (LIST and UIDL blocks, RFC 1939 §5, §7) and
// the unique-id audit a sync relies on. Properties checked: an id is every byte after its
// separator, never a truncated prefix (so different ids stay different); the audit never trusts
// a duplicated, non-conforming or repeated entry, and trusted ids are all distinct.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPOP3Listing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let sizes = try? POP3MessageSize.parseListing(bytes) {
        precondition(sizes.allSatisfy { $0.number >= 1 && $0.size >= 0 }, "a LIST entry out of range")
    }
    if let listing = try? POP3UniqueID.parseListing(bytes) {
        for entry in listing {
            precondition(entry.number >= 1, "a UIDL number below 1")
            precondition(!entry.bytes.contains(UInt8(ascii: "\n")), "an id holds a line end")
            precondition(entry.isConforming == (POP3UniqueID.defect(of: entry.bytes) == nil), "defect is unstable")
            // The id is found in the input exactly as parsed, followed by the end of its line.
            precondition(containsLineEnding(with: entry.bytes, in: bytes), "an id is not what the line says")
        }
        let audit = POP3UniqueIDAudit(listing)
        for (number, uid) in audit.trustedIDs {
            precondition(
                !audit.duplicated.contains(number) && !audit.nonConforming.contains(number), "trusted a bad id")
            precondition(!audit.repeatedNumbers.contains(number), "trusted a repeated number")
            precondition(POP3UniqueID.defect(of: Array(uid.utf8)) == nil, "trusted a non-conforming id")
        }
        precondition(Set(audit.trustedIDs.values).count == audit.trustedIDs.count, "two trusted messages share an id")
        precondition(audit.duplicated == audit.duplicated.sorted(), "duplicated is not sorted")
        precondition(audit.isClean == (audit.trustedIDs.count == Set(listing.map(\.number)).count), "isClean is wrong")
    }
    return 0
}

/// Whether some line of `input` ends with `id` (before its LF or CRLF, or the end of input).
func containsLineEnding(with id: [UInt8], in input: [UInt8]) -> Bool {
    var start = 0
    while start < input.count {
        var end = input[start...].firstIndex(of: UInt8(ascii: "\n")) ?? input.count
        let next = end + 1
        if end > start, input[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        if end - start >= id.count, Array(input[(end - id.count)..<end]) == id { return true }
        start = next
    }
    return false
}
