/// Runs `body`, failing with ``DiscoveryError/Code/timedOut`` when it takes longer than `limit`.
func withDeadline<T: Sendable>(
    _ limit: Duration, what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw DiscoveryError(.timedOut, "\(what) took longer than \(limit)")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw DiscoveryError(.cancelled, what) }
        return first
    }
}
