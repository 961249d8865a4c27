import MailTransport

/// A fetched HTTP resource: the transport's ``MailTransport/HTTPResponse``, named here so that
/// code written against AutoDiscovery alone keeps compiling.
public typealias HTTPResponse = MailTransport.HTTPResponse

/// The HTTP seam: GET one URL.
///
/// Contract: never sends credentials or cookies; returns only 2xx responses whose media type is
/// XML (`text/xml`, `application/xml`, `text/rdf`, `application/*+xml`, as Thunderbird's
/// FetchHTTP accepts), with a body within the fetcher's size cap; throws
/// ``DiscoveryError/Code/httpFailure``, ``DiscoveryError/Code/httpTooLarge``,
/// ``DiscoveryError/Code/httpRedirectRefused``, ``DiscoveryError/Code/network`` or
/// ``DiscoveryError/Code/timedOut``; honours task cancellation.
public protocol HTTPFetcher: Sendable {
    /// Fetches `url` within `timeout`.
    func fetch(_ url: String, timeout: Duration) async throws -> HTTPResponse
}

extension HTTPResponse {
    /// Whether the media type is one autoconfig accepts.
    static func isXML(_ contentType: String) -> Bool {
        ["text/xml", "application/xml", "text/rdf"].contains(contentType)
            || (contentType.hasPrefix("application/") && contentType.hasSuffix("+xml"))
    }
}
