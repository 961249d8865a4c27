#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A device authorization in progress (RFC 8628 §3.2): what the host shows the user, and what
/// the client polls with.
///
/// Show ``userCode`` and ``verificationURI`` (or offer ``verificationURIComplete`` as a link or a
/// QR code), then call ``OAuthClient/waitForDeviceAuthorization(_:)``. The device code itself is
/// redacted from every textual form.
public struct OAuthDeviceAuthorization: Sendable, Hashable, CustomStringConvertible {
    /// The code the user types at the verification page (meant to be shown).
    public let userCode: String
    /// Where the user goes to enter the code.
    public let verificationURI: String
    /// A URI that already carries the user code, when the server gives one.
    public let verificationURIComplete: String?
    /// When the device code expires.
    public let expiresAt: Date
    /// How long to wait between polls (RFC 8628 §3.2: 5 s when the server names none).
    public let interval: Duration
    /// The scopes asked for (sent again in nothing; kept for the host's records).
    public let scopes: [String]
    let deviceCode: String

    /// `OAuthDeviceAuthorization(user code ABCD-EFGH at https://…, device code <redacted>)`.
    public var description: String {
        "OAuthDeviceAuthorization(user code \(userCode) at \(verificationURI), device code <redacted>)"
    }

    /// Parses the device authorization response (RFC 8628 §3.2).
    static func parse(_ body: [UInt8], scopes: [String], now: Date) throws(OAuthError) -> OAuthDeviceAuthorization {
        let what = "the device authorization response"
        let json = try JSONObject(body, what: what)
        let deviceCode = try json.requiredString("device_code", in: what)
        let userCode = try json.requiredString("user_code", in: what)
        // Google names it verification_url (an older draft's name).
        let standard = try json.string("verification_uri", in: what)
        let older = try json.string("verification_url", in: what)
        guard let uri = standard ?? older, OAuthServerMetadata.isAcceptable(uri)
        else { throw OAuthError(.invalidResponse, "\(what) has no https verification_uri") }
        let complete = try json.string("verification_uri_complete", in: what)
        guard let expiresIn = try json.seconds("expires_in", in: what), expiresIn > 0 else {
            throw OAuthError(.invalidResponse, "\(what) has no expires_in")
        }
        let interval = min(max(try json.seconds("interval", in: what) ?? 5, 1), 300)
        guard userCode.count <= 64, userCode.unicodeScalars.allSatisfy({ (0x20...0x7E).contains($0.value) }) else {
            throw OAuthError(.invalidResponse, "\(what): the user code is not printable")
        }
        return OAuthDeviceAuthorization(
            userCode: userCode, verificationURI: uri,
            verificationURIComplete: complete.flatMap { OAuthServerMetadata.isAcceptable($0) ? $0 : nil },
            expiresAt: now.addingTimeInterval(Double(expiresIn)), interval: .seconds(interval), scopes: scopes,
            deviceCode: deviceCode)
    }
}
