#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one error type of FolderRouting: what went wrong in a store or with a folder name, and what to do.
///
/// Its ``description`` names the folder and the system error, never message content.
public struct MailStoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure; extensible constants, as in postgres-nio's `PSQLError.Code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The constant's name.
        public let description: String
        private init(_ name: String) { description = name }

        /// A folder name that cannot be used as it is (see ``Folder/safeComponent(_:)``).
        public static let invalidFolderName = Code("invalidFolderName")
        /// The folder does not exist in the store.
        public static let folderNotFound = Code("folderNotFound")
        /// The message is not (or no longer) in the store.
        public static let messageNotFound = Code("messageNotFound")
        /// The disk or the user's quota is full (`ENOSPC`, `EDQUOT`, `EFBIG`).
        public static let diskFull = Code("diskFull")
        /// The store may not write there (`EACCES`, `EPERM`, `EROFS`), or a path is not a directory.
        public static let notWritable = Code("notWritable")
        /// Another process has the store open for writing.
        public static let storeLocked = Code("storeLocked")
        /// The store was closed with ``MaildirStore/close()``.
        public static let storeClosed = Code("storeClosed")
        /// A streaming delivery was used after `commit()` or `abort()`.
        public static let writerClosed = Code("writerClosed")
        /// Any other system error.
        public static let ioFailure = Code("ioFailure")
        /// The store cannot do this at all (a store that delivers into a mail server cannot read
        /// back, move or remove what it delivered).
        public static let unsupportedOperation = Code("unsupportedOperation")
        /// The mail server the store delivers into refused the message for good (an unknown
        /// mailbox, a full quota: an LMTP 5xx reply, RFC 2033 §4.2).
        public static let deliveryRefused = Code("deliveryRefused")
    }

    /// What kind of failure.
    public var code: Code
    /// What was being done, in words, without message content.
    public var detail: String
    /// The folder concerned, when there is one.
    public var folder: Folder?
    /// The system error number, when a system call failed.
    public var errno: Int32?
    /// The file system path concerned, when the failure is about the place the store lives in
    /// (a path that is a regular file, a read-only mount).
    public var path: String?

    /// Creates an error.
    public init(_ code: Code, _ detail: String, folder: Folder? = nil, errno: Int32? = nil, path: String? = nil) {
        self.code = code
        self.detail = detail
        self.folder = folder
        self.errno = errno
        self.path = path
    }

    /// An error for a failed system call, classified by its `errno`.
    static func system(
        _ operation: String, errno number: Int32, folder: Folder? = nil, path: String? = nil
    ) -> MailStoreError {
        let code: Code
        switch number {
        case ENOSPC, EDQUOT, EFBIG: code = .diskFull
        case EACCES, EPERM, EROFS, ENOTDIR, EISDIR: code = .notWritable
        case ENOENT: code = folder == nil ? .ioFailure : .folderNotFound
        default: code = .ioFailure
        }
        return MailStoreError(code, operation, folder: folder, errno: number, path: path)
    }

    /// An error about the store's own location, in words that say what is wrong with `path`.
    static func location(_ path: String, errno number: Int32) -> MailStoreError {
        let problem =
            switch number {
            case EROFS: "is on a read-only file system"
            case EACCES, EPERM: "may not be written by this program (permission denied)"
            case ENOTDIR, EEXIST: "is a file, or lies under a file, where a directory must be"
            case ENOSPC, EDQUOT: "cannot be created: the disk or the quota is full"
            default: "cannot be used"
            }
        var error = system("the mail store directory \(path) \(problem)", errno: number, path: path)
        if number == EEXIST { error.code = .notWritable }
        return error
    }

    /// Whether trying again later may succeed (a full disk may be cleaned up; a bad name never fixes itself).
    public var isTransient: Bool {
        code == .diskFull || code == .storeLocked || code == .ioFailure
    }

    /// What the user can do about it, in plain words.
    public var recoverySuggestion: String {
        switch code {
        case .diskFull:
            "Free some disk space or raise the mailbox quota; nothing was delivered, so the next sync retries."
        case .notWritable:
            switch errno {
            case EROFS?:
                "The mail folder is on a disk mounted read-only: choose a folder on a writable disk, or mount it read-write."
            case ENOTDIR?, EEXIST?:
                "The path names a file, not a folder: choose a folder (or a path that does not exist yet)."
            default: "Check that the mail folder exists and that this program may write to it."
            }
        case .storeLocked: "Another program is writing to this mailbox; close it or wait for it to finish."
        case .invalidFolderName: "Choose another folder name (no '/', '.', or control characters)."
        case .folderNotFound: "Create the folder first, or pick an existing one."
        case .messageNotFound: "The message was moved or deleted by another program; refresh the folder."
        case .writerClosed: "Start a new delivery for each message."
        case .unsupportedOperation:
            "This store delivers into a mail server: read, move or remove the messages there (over IMAP), not through this store."
        case .deliveryRefused:
            "Check the recipient address the store delivers to and the mailbox on the mail server (does it exist, is its quota full); the server's reply says why."
        default: "Check the disk and the system log, then try again."
        }
    }

    /// The code, the detail, the folder and the system error's text.
    public var description: String {
        var text = "\(code): \(detail)"
        if let folder { text += " (folder \(folder))" }
        if let path, !detail.contains(path) { text += " (path \(path))" }
        if let errno {
            #if canImport(Glibc) || canImport(Darwin)
                text += ": " + String(cString: strerror(errno))
            #else
                text += ": errno \(errno)"
            #endif
        }
        return text
    }
}
