/// A fetched HTTP resource.
public struct HTTPResponse: Sendable, Hashable {
    /// The status code (only 2xx reaches callers of ``HTTPFetcher/fetch(_:timeout:)``).
    public var status: Int
    /// The media type, lower case, without parameters (`text/xml`).
    public var contentType: String
    /// The body.
    public var body: [UInt8]
    /// The URL finally answered (after any redirect that was followed).
    public var url: String

    /// A response.
    public init(status: Int, contentType: String, body: [UInt8], url: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.url = url
    }
}

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
