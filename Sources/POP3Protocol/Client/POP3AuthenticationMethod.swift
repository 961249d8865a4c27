/// How ``POP3Client`` logs in.
public enum POP3AuthenticationMethod: Sendable, Hashable {
    /// The best the server offers: on an encrypted connection USER/PASS; on a plaintext one
    /// APOP when the greeting has a timestamp, and USER/PASS only when cleartext was allowed.
    case automatic
    /// `USER` then `PASS` (RFC 1939 §7): the password crosses the connection as typed, so it is
    /// refused on an unencrypted connection unless explicitly allowed.
    case userPass
    /// `APOP` (RFC 1939 §7): an MD5 digest of the greeting's timestamp and the password. The
    /// password is not sent, but MD5 is weak: prefer TLS.
    case apop
}
