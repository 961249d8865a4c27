import Synchronization

/// Runs `body`, failing with ``DiscoveryError/Code/timedOut`` when it takes longer than `limit`.
///
/// The deadline is kept even when `body` is slow to notice cancellation (a blocking
/// `getaddrinfo` in the transport, for example): the caller is answered at the deadline and the
/// abandoned work is cancelled and left to finish on its own, instead of being awaited as a task
/// group would. Cancelling the caller answers `.cancelled` at once in the same way.
func withDeadline<T: Sendable>(
    _ limit: Duration, what: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let gate = DeadlineGate<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let work = Task { gate.finish(await Result(catching: body)) }
            let timer = Task {
                try? await Task.sleep(for: limit)
                gate.finish(.failure(DiscoveryError(.timedOut, "\(what) took longer than \(limit)")))
            }
            gate.install(continuation, tasks: [work, timer])
        }
    } onCancel: {
        gate.finish(.failure(DiscoveryError(.cancelled, "\(what) was cancelled")))
    }
}

/// Resumes a continuation once, with whichever outcome comes first, and cancels the rest.
final class DeadlineGate<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        var done = false
    }

    private let state = Mutex(State())

    /// Installs the continuation; resumes it at once if an outcome arrived before.
    func install(_ continuation: CheckedContinuation<T, any Error>, tasks: [Task<Void, Never>]) {
        let early = state.withLock { state -> Result<T, any Error>? in
            state.tasks = tasks
            if let early = state.early {
                state.early = nil
                return early
            }
            state.continuation = continuation
            return nil
        }
        if let early {
            tasks.forEach { $0.cancel() }
            continuation.resume(with: early)
        }
    }

    /// Delivers an outcome; only the first one counts.
    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock {
            state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
            guard !state.done else { return (nil, []) }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = result
                return (nil, state.tasks)
            }
            state.continuation = nil
            return (continuation, state.tasks)
        }
        tasks.forEach { $0.cancel() }
        continuation?.resume(with: result)
    }
}
