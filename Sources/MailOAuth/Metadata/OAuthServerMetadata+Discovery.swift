import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension OAuthServerMetadata {
    /// Reads the server's metadata: RFC 8414 §3.1 first
    /// (`https://host/.well-known/oauth-authorization-server/path`), then OpenID Connect
    /// Discovery (`issuer/.well-known/openid-configuration`) when the first answers 404.
    ///
    /// - Throws: ``OAuthError/Code/invalidMetadata``, ``OAuthError/Code/network`` or
    ///   ``OAuthError/Code/timedOut``.
    public static func discover(
        issuer: String, http: HTTPClient = HTTPClient(), timeout: Duration = .seconds(30)
    ) async throws(OAuthError) -> OAuthServerMetadata {
        let trimmed = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        guard isAcceptable(trimmed), !trimmed.contains("?"), !trimmed.contains("#") else {
            throw OAuthError(.invalidMetadata, "the issuer must be an https URL without query: \(issuer.prefix(200))")
        }
        let schemeEnd = trimmed.firstRange(of: "://")?.upperBound ?? trimmed.startIndex
        let pathStart = trimmed[schemeEnd...].firstIndex(of: "/") ?? trimmed.endIndex
        let origin = trimmed[..<pathStart]
        let path = trimmed[pathStart...]
        let candidates = [
            "\(origin)/.well-known/oauth-authorization-server\(path)",
            "\(trimmed)/.well-known/openid-configuration",
        ]
        for (index, url) in candidates.enumerated() {
            let response = try await OAuthHTTP.exchange(
                .get(url, accept: "application/json"), http: http, timeout: timeout)
            if response.status == 404, index + 1 < candidates.count { continue }
            guard response.isSuccess else {
                throw OAuthError(
                    .invalidMetadata, "HTTP \(response.status) for the metadata", httpStatus: response.status)
            }
            return try parse(response.body, expectedIssuer: issuer)
        }
        throw OAuthError(.invalidMetadata, "no metadata found for \(issuer.prefix(200))")
    }
}

/// The one place MailOAuth sends HTTP: transport errors become ``OAuthError``s.
enum OAuthHTTP {
    /// Sends `request`, mapping transport failures and cancellation.
    static func exchange(
        _ request: HTTPRequest, http: HTTPClient, timeout: Duration
    ) async throws(OAuthError)
        -> HTTPResponse
    {
        do {
            return try await http.send(request, timeout: timeout)
        } catch let error as TransportError {
            let host = HTTPHost.of(request.url)
            switch error.code {
            case .timedOut: throw OAuthError(.timedOut, "\(host) did not answer in time")
            case .responseTooLarge: throw OAuthError(.invalidResponse, "the answer from \(host) is too large")
            case .httpMalformed: throw OAuthError(.invalidResponse, "the answer from \(host) is not HTTP")
            case .cancelled: throw OAuthError(.cancelled, "the request to \(host) was cancelled")
            default: throw OAuthError(.network, "\(host): \(error.code): \(error.detail)")
            }
        } catch is CancellationError {
            throw OAuthError(.cancelled, "the request was cancelled")
        } catch {
            throw OAuthError(.network, "\(HTTPHost.of(request.url)): \(type(of: error))")
        }
    }
}

/// The host part of a URL, for messages (never the query, which may carry a code).
enum HTTPHost {
    static func of(_ url: String) -> String {
        let afterScheme = url.firstRange(of: "://").map { url[$0.upperBound...] } ?? url[...]
        return String(afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }.prefix(200))
    }
}
