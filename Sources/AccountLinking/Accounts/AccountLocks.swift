import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps two processes (or machines sharing a folder) from syncing one account at once. Within
/// one ``AccountLinker`` a second sync of an account joins the running one; across processes
/// this seam decides. A host with its own database can implement it with a row lock or a lease.
public protocol AccountLocks: Sendable {
    /// Takes the account's lock without waiting; nil when someone else holds it.
    /// The lock is held until the returned value is released (or the process ends).
    func tryLock(_ account: AccountID) async throws -> (any AccountLock)?
}

/// A held lock.
public protocol AccountLock: Sendable {
    /// Lets the next process take it.
    func release()
}

/// No locking across processes: the right choice when one process owns the account store.
public struct NoAccountLocks: AccountLocks {
    public init() {}

    public func tryLock(_ account: AccountID) async throws -> (any AccountLock)? { Released() }

    struct Released: AccountLock {
        func release() {}
    }
}

/// One lock file per account in a folder, locked with `flock(2)` (exclusive, non-blocking). The
/// kernel drops the lock when the process ends, even by `SIGKILL`, so a crashed worker never
/// leaves an account locked. Works across processes on one machine; for several machines, use a
/// shared file system whose locks span clients, or a database's locks behind ``AccountLocks``.
public struct FileAccountLocks: AccountLocks {
    /// The folder holding `<account>.lock` files (created when missing).
    public let directory: String

    /// Locks in `directory`.
    /// - Throws: ``StateFileError`` when the folder cannot be created.
    public init(directory: String) throws {
        try StateFolder.prepare(directory)
        self.directory = directory
    }

    public func tryLock(_ account: AccountID) async throws -> (any AccountLock)? {
        let path = directory + "/" + FileSyncStateStore.fileSafe(account.rawValue) + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StateFileError(.folderUnusable, path: path, detail: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            close(descriptor)
            if failure == EWOULDBLOCK { return nil }
            throw StateFileError(.folderUnusable, path: path, detail: "cannot lock it: \(String(cString: strerror(failure)))")
        }
        return Held(descriptor: descriptor)
    }

    final class Held: AccountLock {
        private let descriptor: Mutex<Int32?>

        init(descriptor: Int32) { self.descriptor = Mutex(descriptor) }

        func release() {
            if let descriptor = descriptor.withLock({ value -> Int32? in defer { value = nil }; return value }) {
                close(descriptor)
            }
        }

        deinit { release() }
    }
}
