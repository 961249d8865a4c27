import MailTransport

/// The server's end of a connection to a fake server: a ``MailConnection`` that can also
/// perform the server side of a STARTTLS/STLS upgrade.
public protocol ServerSideConnection: MailConnection {
    /// Performs the server side of the TLS handshake after the server answered STARTTLS/STLS.
    func acceptTLS() async throws
}
