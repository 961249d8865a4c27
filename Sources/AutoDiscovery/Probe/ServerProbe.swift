/// The probing seam: check that a candidate server is real, reachable, and TLS-verified.
///
/// Contract: never authenticates and never sends a secret; respects task cancellation; returns
/// within the implementation's own time limits. The default is ``MailServerProbe``; tests use
/// fakes returning canned outcomes.
public protocol ServerProbe: Sendable {
    /// Probes `candidate`.
    func probe(_ candidate: ProbeCandidate) async -> ProbeOutcome
}
