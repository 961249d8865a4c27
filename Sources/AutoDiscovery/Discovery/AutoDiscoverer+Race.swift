extension AutoDiscoverer {
    /// Runs `contenders` together under ``PriorityRace``'s rule: returns the best-priority
    /// success (or nil) and the errors of the contenders that failed. Contenders that can no
    /// longer win are cancelled and not waited for (a loser stuck in a slow system call cannot
    /// hold the winner back); cancelling the caller cancels them all.
    static func race<T: Sendable>(
        _ contenders: [@Sendable () async throws -> T]
    ) async -> (winner: T?, errors: [any Error]) {
        guard !contenders.isEmpty else { return (nil, []) }
        let (outcomes, continuation) = AsyncStream.makeStream(of: (Int, Result<T, any Error>).self)
        let tasks = contenders.enumerated().map { index, contender in
            Task { continuation.yield((index, await Result(catching: contender))) }
        }
        defer {
            tasks.forEach { $0.cancel() }
            continuation.finish()
        }
        return await withTaskCancellationHandler {
            var race = PriorityRace(count: tasks.count)
            var values: [Int: T] = [:]
            var errors: [any Error] = []
            for await (index, outcome) in outcomes {
                let action: PriorityRace.Action
                switch outcome {
                case .success(let value):
                    values[index] = value
                    action = race.succeeded(index)
                case .failure(let error):
                    errors.append(error)
                    action = race.failed(index)
                }
                switch action {
                case .wait: continue
                case .cancel(let slots): slots.forEach { tasks[$0].cancel() }
                case .finish(let winner, _): return (values[winner], errors)
                case .allFailed: return (nil, errors)
                }
            }
            return (nil, errors)  // cancelled while waiting
        } onCancel: {
            tasks.forEach { $0.cancel() }
            continuation.finish()
        }
    }
}
