/// One message in a ``FakePOP3Server`` maildrop.
///
/// A hostile maildrop is scripted here: ids that break RFC 1939 §7 (``init(uidBytes:content:)``
/// takes any bytes; two messages may share an id), a LIST size that lies (``listedSize``), and a
/// message far larger than its content (``fillerSize``: generated while sending, so a 40 MB
/// message costs the fake no memory).
public struct FakePOP3Message: Sendable, Hashable {
    /// The message's unique id byte for byte, as UIDL reports it. RFC 1939 §7 wants 1 to 70
    /// bytes from 0x21 to 0x7E; the fake sends whatever it is given, spaces, controls and
    /// 8-bit bytes included (but no CR or LF, which would end the line).
    public var uidBytes: [UInt8]
    /// The whole message, CRLF line ends, not dot-stuffed.
    public var content: [UInt8]
    /// What LIST and STAT report as this message's size instead of ``size``: a lying server.
    public var listedSize: Int?
    /// How many bytes of generated body lines RETR sends after ``content`` (TOP does not).
    public var fillerSize: Int

    /// A message with `uid` and `content`.
    public init(uid: String, content: [UInt8], listedSize: Int? = nil, fillerSize: Int = 0) {
        self.init(uidBytes: Array(uid.utf8), content: content, listedSize: listedSize, fillerSize: fillerSize)
    }

    /// A message whose id is these exact bytes.
    public init(uidBytes: [UInt8], content: [UInt8], listedSize: Int? = nil, fillerSize: Int = 0) {
        self.uidBytes = uidBytes
        self.content = content
        self.listedSize = listedSize
        self.fillerSize = max(0, fillerSize)
    }

    /// A message with `uid` and text content (LF line ends are turned into CRLF).
    public init(uid: String, text: String) {
        self.init(uid: uid, content: FakeServerSupport.crlfBytes(text))
    }

    /// The unique id as text (bytes that are not UTF-8 read as U+FFFD).
    public var uid: String {
        get { String(decoding: uidBytes, as: UTF8.self) }
        set { uidBytes = Array(newValue.utf8) }
    }

    /// The real size: octets with CRLF line ends (RFC 1939 §11), filler included.
    public var size: Int { content.count + fillerSize + (fillerSize > 0 && !content.endsWithLineEnd ? 2 : 0) }

    /// The size LIST and STAT report: ``listedSize`` when set, else ``size``.
    public var reportedSize: Int { listedSize ?? size }
}

extension [UInt8] {
    var endsWithLineEnd: Bool { last == UInt8(ascii: "\n") }
}
