#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The system calls of the durable path, each retried on `EINTR` and turned into a ``MailStoreError``.
///
/// Why not FileManager: delivery needs `open(O_EXCL)`, `fsync` of files and of
/// directories, and `rename` with exact error numbers; FileManager offers none of
/// these guarantees. The `fault` hook lets tests make any step fail as a full
/// disk or a read-only folder would, which root (who ignores permissions) cannot
/// otherwise provoke.
struct POSIXFileSystem {
    /// The operations a test can make fail.
    enum Operation: Sendable { case createTemporary, write, sync, appendIndex, rename, makeDirectory, checkWritable }

    /// Returns an `errno` to fail the operation with, or `nil` to run it.
    var fault: (@Sendable (Operation) -> Int32?)?

    private func injected(_ operation: Operation) -> Int32? { fault?(operation) }

    func createExclusive(_ path: String, _ operation: String, folder: Folder?) throws -> Int32 {
        if let number = injected(.createTemporary) {
            throw MailStoreError.system(operation, errno: number, folder: folder)
        }
        return try retrying(operation, folder: folder) { open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
    }

    func openForReading(_ path: String, _ operation: String, folder: Folder? = nil) throws -> Int32 {
        try retrying(operation, folder: folder) { open(path, O_RDONLY | O_CLOEXEC) }
    }

    func openDirectory(_ path: String, _ operation: String, folder: Folder? = nil) throws -> Int32 {
        try retrying(operation, folder: folder) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    }

    /// Writes every byte (a short write is continued, not an error).
    func writeAll(
        _ descriptor: Int32, _ bytes: [UInt8], _ operation: String, folder: Folder?, isIndex: Bool = false
    )
        throws
    {
        if let number = injected(isIndex ? .appendIndex : .write) {
            throw MailStoreError.system(operation, errno: number, folder: folder)
        }
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw MailStoreError.system(operation, errno: errno, folder: folder)
                }
                offset += written
            }
        }
    }

    /// Starts writing a file's dirty pages to disk without waiting, so that the `fsync`
    /// calls of a batch overlap their I/O instead of queueing one behind another (Linux only).
    func startWriteback(_ descriptor: Int32) {
        #if os(Linux)
            _ = POSIXFileSystem.syncFileRange?(descriptor, 0, 0, POSIXFileSystem.syncFileRangeWrite)
        #endif
    }

    #if os(Linux)
        /// `sync_file_range(2)`, looked up at run time because Glibc's module map hides it (it needs `_GNU_SOURCE`).
        private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
            guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "sync_file_range") else { return nil }
            return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        }()
        /// `SYNC_FILE_RANGE_WRITE` from `<fcntl.h>`: start writeback of dirty pages, do not wait.
        private static let syncFileRangeWrite: UInt32 = 2
    #endif

    func sync(_ descriptor: Int32, _ operation: String, folder: Folder?) throws {
        if let number = injected(.sync) { throw MailStoreError.system(operation, errno: number, folder: folder) }
        _ = try retrying(operation, folder: folder) { fsync(descriptor) }
    }

    /// Syncs several files at once (see ``ParallelSync``); the first failure is thrown after all have run.
    func syncAll(_ descriptors: [(descriptor: Int32, folder: Folder?)], _ operation: String) throws {
        for entry in descriptors {
            if let number = injected(.sync) {
                throw MailStoreError.system(operation, errno: number, folder: entry.folder)
            }
        }
        let results = ParallelSync.sync(descriptors.map(\.descriptor))
        if let failed = results.firstIndex(where: { $0 != 0 }) {
            throw MailStoreError.system(operation, errno: results[failed], folder: descriptors[failed].folder)
        }
    }

    func syncDirectory(_ path: String, _ operation: String, folder: Folder?) throws {
        let descriptor = try openDirectory(path, operation, folder: folder)
        defer { close(descriptor) }
        try sync(descriptor, operation, folder: folder)
    }

    func rename(_ source: String, _ destination: String, _ operation: String, folder: Folder?) throws {
        if let number = injected(.rename) { throw MailStoreError.system(operation, errno: number, folder: folder) }
        _ = try retrying(operation, folder: folder) { systemRename(source, destination) }
    }

    func makeDirectory(_ path: String, _ operation: String, folder: Folder?) throws {
        if let number = injected(.makeDirectory) {
            throw MailStoreError.system(operation, errno: number, folder: folder, path: path)
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw MailStoreError.system(operation, errno: errno, folder: folder, path: path)
        }
    }

    /// The `errno` that writing into the directory at `path` would fail with (`access(W_OK)`:
    /// `EROFS` on a read-only mount, `EACCES` without permission), or nil when it may be written.
    func writeFailure(_ path: String) -> Int32? {
        if let number = injected(.checkWritable) { return number }
        return access(path, W_OK | X_OK) == 0 ? nil : errno
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The modification time in seconds since 1970, `nil` when the file is gone.
    func modificationTime(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            return Int(info.st_mtimespec.tv_sec)
        #else
            return Int(info.st_mtim.tv_sec)
        #endif
    }

    func fileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    func remove(_ path: String) {
        _ = unlink(path)
    }

    /// The names in a directory, without `.` and `..`; empty when it cannot be read.
    func contents(of path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names = [String]()
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The whole content of a file.
    func readAll(_ path: String, _ operation: String, folder: Folder? = nil) throws -> [UInt8] {
        let descriptor = try openForReading(path, operation, folder: folder)
        defer { close(descriptor) }
        var result = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw MailStoreError.system(operation, errno: errno, folder: folder)
            }
            if count == 0 { return result }
            result += buffer[0..<count]
        }
    }

    private func retrying(_ operation: String, folder: Folder?, _ call: () -> Int32) throws -> Int32 {
        while true {
            let result = call()
            if result >= 0 { return result }
            if errno != EINTR { throw MailStoreError.system(operation, errno: errno, folder: folder) }
        }
    }
}

#if canImport(Glibc)
    private func systemRename(_ source: String, _ destination: String) -> Int32 { Glibc.rename(source, destination) }
#elseif canImport(Darwin)
    private func systemRename(_ source: String, _ destination: String) -> Int32 { Darwin.rename(source, destination) }
#endif
