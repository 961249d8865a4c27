// libFuzzer target for the header parser and everything that reads header values:
// unfolding, RFC 2047 words, address lists, dates, Message-IDs, Content-Type parameters.
// It also checks one property: any subject and display name the builder accepts comes
// back unchanged from the parser. Built by scripts/fuzz/run.sh with the MailMessage sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Array(UnsafeRawBufferPointer(start: start, count: count))
    if let header = try? MessageHeader(parsing: bytes) {
        for field in header.fields {
            _ = field.name
            _ = field.value
            _ = field.unfoldedValue
            _ = AddressList(field: field).mailboxes.map(\.description)
            _ = try? MailDate(parsing: field.unfoldedValue).formatted
            _ = MessageID.list(in: field.unfoldedValue)
            _ = ContentType(parsing: field.rawValue).parameters.map(\.value)
            _ = ContentDisposition(parsing: field.rawValue).filename
        }
        precondition(header.bodyOffset <= bytes.count)
    }
    _ = try? EmailAddress(String(decoding: bytes, as: UTF8.self))
    checkBuilderRoundTrip(bytes)
    return 0
}

/// Builds a message with the input as subject and display name and parses it back.
func checkBuilderRoundTrip(_ bytes: [UInt8]) {
    guard let text = String(validating: bytes, as: UTF8.self), text.utf8.count < 2_000 else { return }
    guard let to = try? EmailAddress("to@example.com"), let fromAddress = try? EmailAddress("from@example.com") else {
        preconditionFailure("fixed addresses must parse")
    }
    let hasControl = text.unicodeScalars.contains { $0.value < 0x20 || ($0.value >= 0x7F && $0.value <= 0x9F) }
    guard let from = try? Mailbox(displayName: text, address: fromAddress) else {
        precondition(hasControl, "a display name without control characters was refused")
        return
    }
    var message = OutgoingMessage(from: from)
    message.to = [Mailbox(address: to)]
    message.subject = text
    message.date = MailDate(date: .init(timeIntervalSince1970: 0))
    guard let encoded = try? message.encoded(boundary: "fuzz") else {
        precondition(hasControl, "builder refused a clean value")
        return
    }
    guard let parsed = try? MIMEPart(parsing: encoded), let subject = parsed.header["Subject"] else {
        preconditionFailure("the parser refused the builder's output")
    }
    // Plain subjects lose leading and trailing white space (the parser trims values);
    // encoded ones keep it inside the encoded words.
    precondition(subject == text || subject == text.trimmingASCIIWhitespace(), "subject did not round-trip")
    if let fromField = parsed.header.field(named: "From") {
        let mailboxes = AddressList(field: fromField).mailboxes
        precondition(mailboxes.count == 1 && mailboxes[0].address == fromAddress, "From address did not round-trip")
    }
}
