import AccountLinking
import MailOAuth
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `add`'s OAuth flags: `--oauth device|browser --oauth-client-id ID [--oauth-client-secret-file
/// FILE] [--oauth-issuer URL]`. The client id is the user's own application's (linkmail ships
/// none); a secret comes from a file, never from the command line.
enum OAuthOptions {
    static let valueOptions: Set<String> = ["oauth", "oauth-client-id", "oauth-client-secret-file", "oauth-issuer"]

    /// The sign-in the flags ask for, or nil without `--oauth`.
    static func signIn(
        _ arguments: CommandLineArguments, tlsPolicy: TLSPolicy
    ) throws -> AccountLinker.OAuthSignIn? {
        guard let methodText = arguments.value("oauth") else {
            for option in valueOptions.subtracting(["oauth"]) where arguments.value(option) != nil {
                throw CommandLineArguments.UsageError("--\(option) needs --oauth device|browser")
            }
            return nil
        }
        guard let method = AccountLinker.OAuthSignIn.Method(rawValue: methodText) else {
            throw CommandLineArguments.UsageError("--oauth must be device or browser, not \(methodText)")
        }
        guard let clientID = arguments.value("oauth-client-id") else {
            throw CommandLineArguments.UsageError(
                "--oauth needs --oauth-client-id ID: linkmail ships no client registration; register your own "
                    + "application with the provider (see the article \"Linking Outlook.com and Gmail accounts\")")
        }
        var secret: String?
        if let file = arguments.value("oauth-client-secret-file") {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandLineArguments.UsageError("cannot read --oauth-client-secret-file \(file)")
            }
            secret = ConnectionOptions.firstLine(of: Array(data))
        }
        return AccountLinker.OAuthSignIn(
            method: method, registration: OAuthClientRegistration(clientID: clientID, clientSecret: secret),
            server: arguments.value("oauth-issuer").map { .issuer($0) } ?? .provider,
            http: HTTPClient(tlsPolicy: tlsPolicy))
    }
}
