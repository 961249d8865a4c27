/// What an OAuth 2.0 sign-in asks of the user while the linking flow waits: a page to open in the
/// browser (authorization code with PKCE, RFC 8252), or a code to enter at a page on any device
/// (device authorization grant, RFC 8628 §3.3). Neither carries a secret: the device code and the
/// PKCE verifier stay inside the flow.
public enum OAuthPrompt: Sendable, Hashable, CustomStringConvertible {
    /// Open `url` in the system browser; the redirect comes back to a listener on 127.0.0.1.
    case openBrowser(url: String)
    /// Show `userCode` and `verificationURI`; `verificationURIComplete` already carries the code
    /// (offer it as a link or a QR code) when the server gave one.
    case enterCode(userCode: String, verificationURI: String, verificationURIComplete: String?)

    /// `open https://… in your browser to sign in` or `enter the code ABCD-EFGH at https://…`.
    public var description: String {
        switch self {
        case .openBrowser(let url): "open \(url) in your browser to sign in"
        case .enterCode(let code, let uri, _): "enter the code \(code) at \(uri) to sign in"
        }
    }
}
