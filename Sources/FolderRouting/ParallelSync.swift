#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `fsync` on many files at once, from a few short-lived threads.
///
/// Why: on ext4 (and most journalling file systems) each `fsync` waits for a journal
/// commit and a disk cache flush. Calls made one after another pay that wait once
/// each; calls made at the same time join the same commit ("group commit"), so a batch
/// of 100 files costs about as much as one. The threads are plain POSIX threads, never
/// Swift's cooperative pool, and they only block in `fsync`.
enum ParallelSync {
    /// How many threads share a batch's `fsync` calls.
    static let maximumThreads = 8

    /// Syncs every descriptor; returns the `errno` of each (0 for success), in order.
    static func sync(_ descriptors: [Int32]) -> [Int32] {
        guard descriptors.count > 2 else { return descriptors.map(syncOne) }
        #if canImport(Glibc)
            let job = Job(descriptors: descriptors, threads: min(maximumThreads, descriptors.count))
            var threads = [pthread_t]()
            for first in 0..<job.threads {
                var thread = pthread_t()
                let context = Unmanaged.passRetained(Task(job: job, first: first)).toOpaque()
                if pthread_create(&thread, nil, run, context) == 0 {
                    threads.append(thread)
                } else {
                    Unmanaged<Task>.fromOpaque(context).release()
                    Task(job: job, first: first).work()  // no thread available: do this share here
                }
            }
            for thread in threads { pthread_join(thread, nil) }
            return job.results()
        #else
            return descriptors.map(syncOne)
        #endif
    }

    static func syncOne(_ descriptor: Int32) -> Int32 {
        while fsync(descriptor) != 0 {
            if errno != EINTR { return errno }
        }
        return 0
    }

    /// The descriptors and their results; each thread writes only its own slots.
    private final class Job: @unchecked Sendable {
        let descriptors: [Int32]
        let threads: Int
        let errors: UnsafeMutableBufferPointer<Int32>

        init(descriptors: [Int32], threads: Int) {
            self.descriptors = descriptors
            self.threads = threads
            errors = .allocate(capacity: descriptors.count)
            errors.initialize(repeating: 0)
        }

        deinit { errors.deallocate() }

        func results() -> [Int32] { Array(errors) }
    }

    /// One thread's share: descriptors `first`, `first + threads`, …
    private final class Task {
        let job: Job
        let first: Int
        init(job: Job, first: Int) {
            self.job = job
            self.first = first
        }

        func work() {
            for index in stride(from: first, to: job.descriptors.count, by: job.threads) {
                job.errors[index] = ParallelSync.syncOne(job.descriptors[index])
            }
        }
    }

    #if canImport(Glibc)
        private static let run: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? = { context in
            guard let context else { return nil }
            Unmanaged<Task>.fromOpaque(context).takeRetainedValue().work()
            return nil
        }
    #endif
}
