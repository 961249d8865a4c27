import Synchronization

/// Gives one protocol client's connection to one operation at a time, first come first served,
/// and ends the session when an operation leaves it out of step with the server.
///
/// The clients (`POP3Client`, `IMAPClient`) are actors, and actors are reentrant at every
/// `await`: without turns, a second call could write its command while the first still reads
/// its answer. Shared by the clients through `package` access, not part of the public API.
///
/// ```swift
/// try await turns.perform(ended: { isClosed ? POP3Error(.invalidState) : nil }, end: close) {
///     try await write([.stat]); return try await readResponse()
/// }
/// ```
package final class ConnectionTurns: Sendable {
    private struct State {
        var busy = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// No operation holds the connection yet.
    package init() {}

    /// Runs `body` in its turn, on the caller's actor.
    ///
    /// - Parameters:
    ///   - ended: the error to throw, without running `body`, when the session has ended.
    ///   - end: called when `body` throws anything but ``SessionContinuesError``: the session
    ///     is out of step with the server and must close.
    nonisolated(nonsending) package func perform<T: Sendable>(
        ended: () -> (any Error)?,
        end: () -> Void,
        _ body: () async throws -> T
    ) async throws -> T {
        await acquire()
        defer { release() }
        if let error = ended() { throw error }
        do {
            return try await body()
        } catch let error as SessionContinuesError {
            throw error.error
        } catch {
            end()
            throw error
        }
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiters.removeFirst()  // the turn passes on; busy stays true
        }
        next?.resume()
    }
}

/// An error after which the session is still in step with the server (a refusal such as
/// `-ERR` or `NO`, an argument refused before anything was written, a handler's own error after
/// the answers were drained): ``ConnectionTurns/perform(ended:end:_:)`` rethrows the wrapped
/// error without ending the session.
package struct SessionContinuesError: Error {
    /// The error the caller sees.
    package let error: any Error

    /// Wraps `error`.
    package init(error: any Error) { self.error = error }
}
