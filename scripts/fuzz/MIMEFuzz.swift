// libFuzzer target for the MIME parser: the part tree, parameters, transfer decoding and
// charset decoding of every part. Built by scripts/fuzz/run.sh with the MailMessage sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    let limits = ParserLimits(maxDepth: 16, maxParts: 2_000)
    guard let message = try? MIMEPart(parsing: bytes, limits: limits) else { return 0 }
    let all = message.allParts
    precondition(all.count <= limits.maxParts, "part limit exceeded")
    for part in all {
        _ = part.contentType.mimeType
        _ = part.contentType.boundary
        _ = part.filename
        _ = part.isAttachment
        _ = part.text
        _ = part.decodedBody.count
        _ = part.header.fields.map(\.value)
    }
    _ = message.textBody
    _ = message.htmlBody
    _ = message.attachments.count
    // Transfer decoders on the raw input as well.
    _ = QuotedPrintable.decode(bytes)
    _ = Base64.decode(bytes)
    return 0
}
