import MailMessage

extension IMAPMailboxName {
    /// The name for a person's eyes (`Entwürfe`): modified UTF-7 decoded (RFC 3501 §5.1.3), or
    /// the wire form as it is when that is not modified UTF-7 (UTF-8 names under UTF8=ACCEPT,
    /// RFC 6855 §3).
    public var displayName: String {
        let wire = self.wire
        guard wire.utf8.allSatisfy({ $0 < 0x80 }) else { return wire }
        return ModifiedUTF7.decode(wire) ?? wire
    }

    /// The wire name for `displayName`: modified UTF-7 (RFC 3501 §5.1.3), or UTF-8 as it is when
    /// the session enabled UTF8=ACCEPT (RFC 6855 §3).
    public init(displayName: String, utf8Accepted: Bool = false) {
        self.init(wire: utf8Accepted ? displayName : ModifiedUTF7.encode(displayName))
    }
}
