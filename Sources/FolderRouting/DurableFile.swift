import Dispatch

/// Replaces small files durably, for state that sits beside a store (a sync's UIDL record).
///
/// The new contents go to a temporary file beside the target, which is `fsync`ed, renamed over
/// the target, and the folder is `fsync`ed: after `replace` returns, a crash or power loss
/// leaves either the old or the new contents, never a mix. The work runs on a dedicated
/// Dispatch queue, never on Swift's cooperative pool.
package enum DurableFile {
    private static let queue = DispatchQueue(label: "FolderRouting.DurableFile", attributes: .concurrent)

    /// Atomically and durably replaces the file at `path` with `contents`.
    package static func replace(at path: String, with contents: [UInt8]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { try replaceBlocking(at: path, with: contents) })
            }
        }
    }

    /// The contents of `path`, or nil when it does not exist.
    package static func read(at path: String) async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8]?, any Error>) in
            queue.async {
                continuation.resume(with: Result {
                    let files = POSIXFileSystem()
                    guard files.exists(path) else { return nil }
                    return try files.readAll(path, "reading \(path)")
                })
            }
        }
    }

    /// ``replace(at:with:)`` on the caller's thread, for code already on a store's queue.
    static func replaceBlocking(at path: String, with contents: [UInt8]) throws {
        let files = POSIXFileSystem()
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let descriptor = try files.createExclusive(temporary, "creating \(temporary)", folder: nil)
        do {
            defer { close(descriptor) }
            try files.writeAll(descriptor, contents, "writing \(temporary)", folder: nil)
            try files.sync(descriptor, "syncing \(temporary)", folder: nil)
        } catch {
            files.remove(temporary)
            throw error
        }
        do {
            try files.rename(temporary, path, "renaming \(temporary)", folder: nil)
        } catch {
            files.remove(temporary)
            throw error
        }
        try files.syncDirectory(directory.isEmpty ? "/" : directory, "syncing \(directory)", folder: nil)
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
