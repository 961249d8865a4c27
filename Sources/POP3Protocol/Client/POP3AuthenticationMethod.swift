import MailAuth

/// How ``POP3Client`` logs in with a user name and password.
public enum POP3AuthenticationMethod: Sendable, Hashable {
    /// The safest the server offers: a SASL mechanism from CAPA's `SASL` line when there is one
    /// (chosen by MailAuth's `SASLMechanismSelector`: SCRAM, then CRAM-MD5, then PLAIN/LOGIN
    /// only under TLS); otherwise USER/PASS on an encrypted connection, APOP on a plaintext one
    /// whose greeting has a timestamp, and USER/PASS in plaintext only when explicitly allowed.
    case automatic
    /// `USER` then `PASS` (RFC 1939 §7): the password crosses the connection as typed, so it is
    /// refused on an unencrypted connection unless explicitly allowed.
    case userPass
    /// `APOP` (RFC 1939 §7): an MD5 digest of the greeting's timestamp and the password. The
    /// password is not sent, but MD5 is weak: prefer TLS.
    case apop
    /// `AUTH` with this SASL mechanism (RFC 5034), whether or not CAPA lists it.
    case sasl(SASLMechanismKind)
}
