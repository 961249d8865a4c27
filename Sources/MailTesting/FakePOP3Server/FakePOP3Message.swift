/// One message in a ``FakePOP3Server`` maildrop.
public struct FakePOP3Message: Sendable, Hashable {
    /// The message's unique id, as UIDL reports it (RFC 1939 §7: printable ASCII, up to 70).
    public var uid: String
    /// The whole message, CRLF line ends, not dot-stuffed.
    public var content: [UInt8]

    /// A message with `uid` and `content`.
    public init(uid: String, content: [UInt8]) {
        self.uid = uid
        self.content = content
    }

    /// A message with `uid` and text content (LF line ends are turned into CRLF).
    public init(uid: String, text: String) {
        self.init(uid: uid, content: FakeServerSupport.crlfBytes(text))
    }

    /// The size POP3 reports: octets with CRLF line ends (RFC 1939 §11).
    public var size: Int { content.count }
}
