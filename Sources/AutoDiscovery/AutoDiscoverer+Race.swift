extension AutoDiscoverer {
    /// Runs `contenders` together under ``PriorityRace``'s rule: returns the best-priority
    /// success (or nil) and the errors of the contenders that failed. Contenders that can no
    /// longer win are cancelled; cancelling the caller cancels them all.
    static func race<T: Sendable>(
        _ contenders: [@Sendable () async throws -> T]
    ) async -> (winner: T?, errors: [any Error]) {
        guard !contenders.isEmpty else { return (nil, []) }
        let tasks = contenders.map { contender in Task { try await contender() } }
        return await withTaskCancellationHandler {
            await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
                for (index, task) in tasks.enumerated() {
                    group.addTask { (index, await Result(catching: { try await task.value })) }
                }
                var race = PriorityRace(count: tasks.count)
                var values: [Int: T] = [:]
                var errors: [any Error] = []
                while let (index, outcome) = await group.next() {
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
                    case .finish(let winner, let slots):
                        slots.forEach { tasks[$0].cancel() }
                        tasks.forEach { $0.cancel() }
                        return (values[winner], errors)
                    case .allFailed:
                        return (nil, errors)
                    }
                }
                return (nil, errors)
            }
        } onCancel: {
            tasks.forEach { $0.cancel() }
        }
    }
}
