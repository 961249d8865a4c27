import FolderRouting
import MailAuth
import MailOAuth
import MailTransport
import IMAPProtocol
import POP3Protocol
import SMTPSender

/// Any failure of the linking flow turned into what a person can act on: the step that failed,
/// what happened in plain words, the server's own words when it said something, and what to try.
///
/// Each layer's error already carries a recovery suggestion; the diagnosis adds the step (so a
/// checklist can say "DNS passed, TLS failed") and recognises provider texts such as "web login
/// required" or "not enabled for POP access". It never contains a password or token.
public struct LinkDiagnosis: Sendable, Equatable, CustomStringConvertible {
    /// The step of a connection test that failed.
    public enum Stage: String, Sendable, Equatable, CaseIterable {
        /// Finding the server settings for the address.
        case discovery = "discovery"
        case nameResolution = "DNS"
        case connection = "connection"
        case tls = "TLS"
        case greeting = "greeting"
        /// The server sent more than allowed (a line or a message over the limit) or something malformed.
        case serverResponse = "server response"
        case startTLS = "STLS/STARTTLS"
        case authentication = "authentication"
        /// The provider accepts only OAuth 2.0 sign-in: a password cannot work.
        case oauthRequired = "OAuth required"
        /// The OAuth 2.0 grant expired or was revoked: the owner must sign in to the provider again.
        case signInAgain = "sign in again"
        case popDisabled = "POP access"
        case mailboxLocked = "mailbox lock"
        case timeout = "timeout"
        case store = "local store"
        case sending = "sending"
        /// Confirming ownership of an address (a wrong, used or expired link or code).
        case confirmation = "confirmation"
        case other = "other"
    }

    /// Which step failed.
    public var stage: Stage
    /// What happened, in plain words.
    public var summary: String
    /// The server's own words, when it gave any.
    public var serverText: String?
    /// What to try.
    public var suggestion: String
    /// Whether trying again later, unchanged, may succeed.
    public var isTransient: Bool

    public init(stage: Stage, summary: String, serverText: String? = nil, suggestion: String, isTransient: Bool = false) {
        self.stage = stage
        self.summary = summary
        self.serverText = serverText
        self.suggestion = suggestion
        self.isTransient = isTransient
    }

    /// Diagnoses `error` from any MailLink layer.
    public init(_ error: any Error) {
        switch error {
        case let error as LinkDiagnosisError: self = error.diagnosis
        case let error as TransportError: self.init(transport: error)
        case let error as POP3Error: self.init(pop3: error)
        case let error as IMAPError: self.init(imap: error)
        case let error as SMTPError: self.init(smtp: error)
        case let error as OAuthError:
            self.init(oauth: error)
        case let error as MailAuthError:
            if let oauth = error.underlyingError as? OAuthError {
                self.init(oauth: oauth)
                // The mail server's own refusal of the token that could not be refreshed comes
                // first; the token endpoint's words otherwise.
                if let words = error.serverMessage, !words.isEmpty { serverText = words }
                return
            }
            self.init(
                stage: .authentication, summary: Self.summary(Self.words(error.code.description), error.detail),
                serverText: error.serverMessage, suggestion: error.recoverySuggestion, isTransient: error.isTransient)
        case let error as MailStoreError:
            self.init(stage: .store, summary: error.description, suggestion: error.recoverySuggestion, isTransient: error.isTransient)
        case let error as SyncError:
            self.init(stage: .other, summary: error.description, suggestion: "Run the sync again; if it persists, report it with this text.")
        case let error as StateFileError:
            self.init(stage: .store, summary: error.description, suggestion: error.recoverySuggestion)
        default:
            self.init(stage: .other, summary: String(describing: error), suggestion: "Try again; if it persists, check the settings.")
        }
    }

    /// The OAuth 2.0 grant gone (RFC 6749 §5.2 `invalid_grant`, RFC 8628 §3.5 `access_denied`,
    /// `expired_token`) is "sign in again"; anything else with the token endpoint is the provider's.
    private init(oauth error: OAuthError) {
        if error.requiresSignIn {
            self.init(
                stage: .signInAgain, summary: "the sign-in to the provider expired or was revoked",
                serverText: error.serverDescription,
                suggestion: "Sign in again to the provider in a browser to link the account anew; a password cannot fix this.")
        } else {
            // The token endpoint out of reach is the network's fault, not a refused sign-in: the
            // scheduler retries it as it would any connection failure.
            let stage: Stage =
                switch error.code {
                case .network: .connection
                case .timedOut: .timeout
                default: .authentication
                }
            self.init(
                stage: stage, summary: Self.summary(error.code.rawValue, error.detail),
                serverText: error.serverDescription, suggestion: error.recoverySuggestion, isTransient: error.isTransient)
        }
    }

    /// `what: detail` for people: the error's kind in words and its details, without the Swift
    /// type names that the errors' own descriptions (meant for logs and debugging) carry.
    static func summary(_ what: String, _ detail: String) -> String {
        detail.isEmpty ? what : detail.lowercased().hasPrefix(what.lowercased()) ? detail : "\(what): \(detail)"
    }

    /// An error code's identifier in words: `serviceUnavailable` as `service unavailable`,
    /// `startTLSNotOffered` as `start TLS not offered` (acronyms stay as they are).
    static func words(_ name: String) -> String {
        var words: [String] = []
        var current = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            let previous = index > 0 ? characters[index - 1] : nil
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            let startsWord =
                character.isUppercase
                && (previous?.isLowercase == true || previous?.isNumber == true
                    || (previous?.isUppercase == true && next?.isLowercase == true))
            if startsWord, !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.count > 1 && $0.allSatisfy { $0.isUppercase || $0.isNumber } ? $0 : $0.lowercased() }
            .joined(separator: " ")
    }

    /// Whether the account needs ``LinkedAccount/Attention/signInAgain`` after this failure.
    public var requiresSignInAgain: Bool { stage == .signInAgain }

    private init(transport error: TransportError) {
        let stage: Stage
        switch error.code {
        case .nameNotFound, .nameResolutionFailed: stage = .nameResolution
        case .connectionRefused, .unreachable: stage = .connection
        case .timedOut: stage = .timeout
        case .tlsHandshakeFailed, .dataBeforeTLS: stage = .tls
        case _ where error.code.isCertificateProblem: stage = .tls
        case .lineTooLong, .responseTooLarge: stage = .serverResponse
        case .closedByPeer, .cancelled, .systemError: stage = .connection
        default: stage = .other
        }
        // A certificate failure's detail already says what is wrong in words ("the certificate
        // expired on …") and lists the certificate: prefixing the code would say it twice.
        let summary =
            error.code.isCertificateProblem && !error.detail.isEmpty
            ? error.detail : Self.summary(error.code.rawValue, error.detail)
        self.init(stage: stage, summary: summary, suggestion: error.recoverySuggestion, isTransient: error.isTransient)
    }

    private init(pop3 error: POP3Error) {
        let stage: Stage
        switch (error.providerRefusal, error.code) {
        case (.protocolDisabled?, _): stage = .popDisabled
        case (.webSignInRequired?, _), (.applicationPasswordRequired?, _): stage = .authentication
        case (nil, .authenticationFailed), (nil, .cleartextRefused), (nil, .noSupportedAuthentication):
            stage = .authentication
        case (nil, .inUse), (nil, .loginDelay): stage = .mailboxLocked
        case (nil, .stlsNotOffered): stage = .startTLS
        case (nil, .greetingRefused): stage = .greeting
        case (nil, .malformedResponse): stage = .serverResponse
        default: stage = .other
        }
        self.init(
            stage: stage, summary: Self.summary(error.code.rawValue, error.detail), serverText: error.serverText,
            suggestion: error.recoverySuggestion, isTransient: error.isTransient)
    }

    private init(imap error: IMAPError) {
        let stage: Stage
        switch (error.providerRefusal, error.code) {
        case (.protocolDisabled?, _): stage = .popDisabled
        case (.webSignInRequired?, _), (.applicationPasswordRequired?, _): stage = .authentication
        case (nil, .authenticationFailed), (nil, .authorizationFailed), (nil, .expired), (nil, .cleartextRefused),
            (nil, .loginDisabled), (nil, .noSupportedAuthentication), (nil, .privacyRequired):
            stage = .authentication
        case (nil, .inUse), (nil, .limit): stage = .mailboxLocked
        case (nil, .startTLSNotOffered): stage = .startTLS
        case (nil, .greetingRefused): stage = .greeting
        case (nil, .malformedResponse): stage = .serverResponse
        default: stage = .other
        }
        self.init(
            stage: stage, summary: Self.summary(error.code.rawValue, error.detail), serverText: error.serverText,
            suggestion: error.recoverySuggestion, isTransient: error.isTransient)
    }

    private init(smtp error: SMTPError) {
        let stage: Stage
        switch error.code {
        case .authenticationFailed, .applicationPasswordRequired, .oauthRequired, .authenticationNotOffered,
            .authenticationRequired, .cleartextRefused:
            stage = .authentication
        case .startTLSNotOffered, .startTLSRefused: stage = .startTLS
        case .malformedReply, .serviceUnavailable: stage = .greeting
        default: stage = .sending
        }
        var summary = Self.summary(Self.words(error.code.description), error.detail)
        if let address = error.address { summary += " <\(address)>" }
        self.init(
            stage: stage, summary: summary, serverText: error.reply.map(\.description),
            suggestion: error.recoverySuggestion, isTransient: error.isTransient)
    }

    /// `stage failed: summary` plus the server's words and the suggestion, one per line.
    public var description: String {
        let heading = "\(stage.rawValue) failed"
        var lines = [summary.lowercased().hasPrefix(heading.lowercased()) ? summary : "\(heading): \(summary)"]
        if let serverText, !serverText.isEmpty { lines.append("server said: \(serverText)") }
        lines.append("what to try: \(suggestion)")
        return lines.joined(separator: "\n")
    }
}
