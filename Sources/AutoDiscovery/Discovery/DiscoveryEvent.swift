/// Progress while discovery works, for a progress indicator or a log.
public enum DiscoveryEvent: Sendable, Hashable {
    /// Discovery began for the normalised address.
    case started(NormalizedAddress)
    /// A source started; `target` is the URL, DNS name or table consulted.
    case checking(DiscoverySource, target: String)
    /// A source failed (or found nothing); discovery goes on with the others.
    case sourceFailed(DiscoverySource, target: String, DiscoveryError)
    /// A server probe started.
    case probing(host: String, port: Int, security: String)
    /// A server probe finished; `detail` holds the failure when it did not succeed.
    case probed(host: String, port: Int, succeeded: Bool, detail: String)
    /// The final result. The stream ends after it.
    case found(DiscoveryResult)
}
