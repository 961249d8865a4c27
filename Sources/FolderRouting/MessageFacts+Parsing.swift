import MailMessage

extension MessageFacts {
    /// The facts of a raw message, read with MailMessage's header parser (RFC 5322 §2.2, §3.4, §3.6;
    /// RFC 2047 encoded words; RFC 2919 List-Id).
    ///
    /// Only the header section is read. Never fails: routing must place every message, so a
    /// header the parser refuses (beyond its ``MailMessage/ParserLimits``) gives facts with
    /// the account alone, and the account's default route decides.
    ///
    /// ```swift
    /// let facts = MessageFacts(account: "alice@example.com", parsing: retrievedBytes)
    /// let decision = router.route(facts)
    /// ```
    public init(account: String, parsing message: [UInt8]) {
        guard let header = try? MessageHeader(parsing: message) else {
            self.init(account: account)
            return
        }
        func addresses(_ name: String) -> [String] {
            header.fields(named: name).flatMap { field in
                AddressList(field: field).mailboxes.map { $0.address.description }
            }
        }
        var headers = [String: [String]]()
        for field in header.fields {
            headers[field.name.trimmingWhiteSpace().lowercased(), default: []].append(field.value)
        }
        self.init(
            account: account, from: addresses("From"), to: addresses("To"), cc: addresses("Cc"),
            subject: header["Subject"],
            listID: header["List-Id"].flatMap(MessageFacts.listIdentifier(inListIDHeader:)), headers: headers)
    }
}
