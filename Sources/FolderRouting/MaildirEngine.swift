#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file work of ``MaildirStore``, confined to the store's serial queue (never the cooperative pool).
///
/// See ``MaildirStore`` for the delivery order and why it loses and duplicates nothing.
final class MaildirEngine {
    private struct Metadata {
        var origin: MessageOrigin?
        var marker: MarkerColor?
    }

    /// A message written and synced in `tmp/`, waiting to be recorded and renamed into `new/`.
    private struct Staged {
        var tmpPath: String
        var base: String
        var folder: Folder
        var marker: MarkerColor?
        var origin: MessageOrigin?
        var size: Int
        var flags = ""
    }

    /// A streaming delivery in progress.
    private struct Pending {
        var unique: String
        var tmpPath: String
        var descriptor: Int32
        var folder: Folder
        var marker: MarkerColor?
        var origin: MessageOrigin?
        var size: Int
    }

    /// How many messages of a batch are synced and renamed together (one `fsync` round), which
    /// bounds the number of open files however large the caller's batch is.
    static let maximumStagedFiles = 128

    let layout: MaildirLayout
    private let fileSystem: POSIXFileSystem
    private var names = MaildirNameMaker()
    private let temporaryFileMaximumAge: Int
    private var lockDescriptor: Int32 = -1
    private var indexDescriptor: Int32 = -1
    private var indexLength = 0
    private var metadata: [String: Metadata] = [:]
    private var byOrigin: [MessageOrigin: String] = [:]
    private var locations: [String: Folder] = [:]
    private var knownFolders: Set<Folder> = []
    private var pending: [Int: Pending] = [:]
    private var nextToken = 0
    /// Messages written to `tmp/` by ``stage(_:)``, waiting for ``publishStaged(_:)``: each
    /// with its open descriptor, or the message it duplicates.
    private var staged: [Int: StagedEntry] = [:]
    /// The origins of ``staged`` messages, so a second one in the same batch is a duplicate.
    private var stagedOrigins: [MessageOrigin: String] = [:]

    private enum StagedEntry {
        /// In `tmp/`, its file closed (write-back started): an open file per staged message would
        /// bound how many a batch may hold.
        case written(Staged)
        case duplicate(existing: String)
    }

    private var root: String { layout.root }
    private var indexPath: String { root + "/" + MaildirIndex.fileName }

    /// Opens (creating when needed) the Maildir at `root`, takes its lock and recovers from any crash.
    init(root: String, temporaryFileMaximumAge: Int, fileSystem: POSIXFileSystem) throws {
        layout = MaildirLayout(root: root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root)
        self.fileSystem = fileSystem
        self.temporaryFileMaximumAge = temporaryFileMaximumAge
        try createDirectories(layout.root)
        if let number = fileSystem.writeFailure(layout.root) {
            throw MailStoreError.location(layout.root, errno: number)
        }
        try ensureFolder(.inbox)
        try lock()
        let index = try openIndex()
        for folder in scanFolders() { recover(folder) }
        try replayIndex(index)
    }

    deinit { close() }

    func close() {
        for entry in pending.values {
            closeDescriptor(entry.descriptor)
            fileSystem.remove(entry.tmpPath)
        }
        pending = [:]
        discardStaged(Array(staged.keys))
        if indexDescriptor >= 0 { closeDescriptor(indexDescriptor) }
        if lockDescriptor >= 0 { closeDescriptor(lockDescriptor) }
        indexDescriptor = -1
        lockDescriptor = -1
    }

    private func checkOpen() throws {
        guard indexDescriptor >= 0 else { throw MailStoreError(.storeClosed, "the store was closed") }
    }

    // MARK: Opening and recovery

    /// Creates `path` and its missing parents. A path that exists as a regular file (or lies
    /// under one), a read-only mount, a missing permission: each is an error that names the
    /// path and says which it is, before anything else is tried.
    private func createDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if fileSystem.exists(prefix) {
                guard fileSystem.isDirectory(prefix) else { throw MailStoreError.location(path, errno: ENOTDIR) }
                continue
            }
            do {
                try fileSystem.makeDirectory(prefix, "create the store directory", folder: nil)
            } catch let error as MailStoreError {
                throw MailStoreError.location(path, errno: error.errno ?? EIO)
            }
        }
    }

    /// How often a held lock is tried, 10 ms apart, before the store counts as open elsewhere.
    static let lockAttempts = 100

    private func lock() throws {
        let path = root + "/maillink-lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MailStoreError.system("open the store's lock file", errno: errno) }
        // A process that forks (to run a program) holds a copy of every descriptor until its child
        // calls exec, lock included; a store closed and reopened at that moment would find itself
        // "locked" by its own former descriptor. So a held lock is retried for a moment before it
        // counts as another process's (this runs on the store's queue, not Swift's pool).
        var attempts = 0
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let number = errno
            if number == EINTR { continue }
            attempts += 1
            if number == EWOULDBLOCK && attempts < Self.lockAttempts {
                usleep(10_000)
                continue
            }
            closeDescriptor(descriptor)
            if number == EWOULDBLOCK { throw MailStoreError(.storeLocked, "another process has the store open") }
            throw MailStoreError.system("lock the store", errno: number)
        }
        lockDescriptor = descriptor
    }

    /// Opens the index for appending, cuts a torn last line, and gives the bytes it read, so the
    /// store's open reads the file once.
    @discardableResult
    private func openIndex() throws -> [UInt8] {
        let descriptor = open(indexPath, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw MailStoreError.system("open the store's index", errno: errno) }
        indexDescriptor = descriptor
        let bytes = try fileSystem.readAll(indexPath, "read the store's index")
        if bytes.isEmpty {
            try appendToIndex(Array(MaildirIndex.header.utf8))
            try fileSystem.syncDirectory(root, "sync the store directory", folder: nil)
            return []
        }
        let valid = MaildirIndex.validLength(of: bytes)
        if valid < bytes.count {
            // A crash tore the last append: cut it so the next record starts on its own line.
            guard ftruncate(descriptor, off_t(valid)) == 0 else {
                throw MailStoreError.system("repair the store's index", errno: errno)
            }
            try fileSystem.sync(descriptor, "sync the store's index", folder: nil)
        }
        indexLength = valid
        return bytes  // a torn last line is skipped by the reader as well
    }

    /// Removes abandoned temporary files of one folder and notes where its messages are.
    private func recover(_ folder: Folder) {
        guard let directory = try? layout.directory(of: folder) else { return }
        let now = Int(time(nil))
        for name in fileSystem.contents(of: directory + "/tmp") {
            let path = directory + "/tmp/" + name
            let fileName = MaildirFileName(parsing: name)
            if let writer = fileName.writer, writer.host == names.host, writer.pid != names.pid,
                kill(writer.pid, 0) != 0, errno == ESRCH
            {
                fileSystem.remove(path)  // its writer died: it will never be renamed into new/
            } else if let modified = fileSystem.modificationTime(path), now - modified > temporaryFileMaximumAge {
                fileSystem.remove(path)  // the Maildir convention's 36 hours
            }
        }
        for subdirectory in ["new", "cur"] {
            for name in fileSystem.contents(of: directory + "/" + subdirectory) where !name.hasPrefix(".") {
                locations[MaildirFileName(parsing: name).base] = folder
            }
        }
    }

    private func replayIndex(_ bytes: [UInt8]) throws {
        metadata.reserveCapacity(locations.count)  // grown once, not doubled step by step
        byOrigin.reserveCapacity(locations.count)
        var count = 0
        _ = MaildirIndex.forEachRecord(in: bytes) { record in
            count += 1
            switch record {
            case .delivered(let base, let origin, let marker):
                // Recorded, never renamed: not delivered. Otherwise the name read from the folder is
                // kept (one string for both tables), the one read from the index dropped.
                guard let found = locations.index(forKey: base) else { return }
                let base = locations[found].key
                metadata[base] = Metadata(origin: origin, marker: marker)
                if let origin, byOrigin[origin] == nil { byOrigin[origin] = base }
            case .marked(let base, let marker):
                guard let found = locations.index(forKey: base) else { return }
                metadata[locations[found].key, default: Metadata()].marker = marker
            }
        }
        if count > 2 * metadata.count + 1024 { try compactIndex() }
    }

    /// Rewrites the index with live records only, atomically through ``DurableFile``
    /// (temporary file, fsync, rename, fsync of the root).
    private func compactIndex() throws {
        var text = MaildirIndex.header
        for (base, entry) in metadata.sorted(by: { $0.key < $1.key }) {
            text += MaildirIndex.line(for: .delivered(base: base, origin: entry.origin, marker: entry.marker))
        }
        try DurableFile.replaceBlocking(at: indexPath, with: Array(text.utf8))
        closeDescriptor(indexDescriptor)
        indexDescriptor = -1
        try openIndex()
    }

    /// Appends records and syncs the index, together with `others` (message files) when given.
    private func appendToIndex(_ bytes: [UInt8], syncing others: [(descriptor: Int32, folder: Folder?)] = []) throws {
        do {
            try fileSystem.writeAll(indexDescriptor, bytes, "record in the store's index", folder: nil, isIndex: true)
            try fileSystem.syncAll(others + [(indexDescriptor, nil)], "sync the messages and the store's index")
        } catch {
            _ = ftruncate(indexDescriptor, off_t(indexLength))  // never leave half a record behind
            throw error
        }
        indexLength += bytes.count
    }

    // MARK: Folders

    func ensureFolder(_ folder: Folder) throws {
        guard !knownFolders.contains(folder) else { return }
        let directory = try layout.directory(of: folder)
        let existed =
            fileSystem.isDirectory(directory + "/cur") && fileSystem.isDirectory(directory + "/new")
            && fileSystem.isDirectory(directory + "/tmp")
        if !existed {
            try fileSystem.makeDirectory(directory, "create the folder", folder: folder)
            for subdirectory in ["cur", "new", "tmp"] {
                try fileSystem.makeDirectory(directory + "/" + subdirectory, "create the folder", folder: folder)
            }
            if !folder.isInbox {
                let marker = open(directory + "/maildirfolder", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
                if marker >= 0 { closeDescriptor(marker) }
            }
            try fileSystem.syncDirectory(directory, "sync the new folder", folder: folder)
            if !folder.isInbox { try fileSystem.syncDirectory(root, "sync the store directory", folder: folder) }
        }
        knownFolders.insert(folder)
    }

    private func scanFolders() -> [Folder] {
        var folders: [Folder] = [.inbox]
        for name in fileSystem.contents(of: root) {
            guard let folder = MaildirLayout.folder(forDirectoryName: name),
                fileSystem.isDirectory(root + "/" + name + "/cur")
            else { continue }
            folders.append(folder)
        }
        knownFolders.formUnion(folders)
        return folders
    }

    func folders() throws -> [Folder] {
        try checkOpen()
        return scanFolders().sorted(by: Folder.storeOrder)
    }

    // MARK: Delivery

    func deliver(_ messages: [IncomingMessage]) throws -> [DeliveryOutcome] {
        try checkOpen()
        var tokens: [Int] = []
        do {
            for message in messages { tokens.append(try stage(message)) }
        } catch {
            discardStaged(tokens)
            throw error
        }
        return try publishStaged(tokens)
    }

    /// Writes one message to `tmp/` (step 1 of the delivery order, no `fsync`) and returns its
    /// token; nothing is visible until ``publishStaged(_:)`` pays steps 2 to 5 for all the tokens
    /// it is given at once. A message whose origin is stored (or staged) already is not written:
    /// it publishes as `.duplicate`.
    func stage(_ message: IncomingMessage) throws -> Int {
        try checkOpen()
        nextToken += 1
        let token = nextToken
        if let origin = message.origin, let existing = byOrigin[origin] ?? stagedOrigins[origin] {
            staged[token] = .duplicate(existing: existing)
            return token
        }
        try ensureFolder(message.folder)
        let unique = names.next()
        let tmpPath = try layout.directory(of: message.folder) + "/tmp/" + unique
        let descriptor = try fileSystem.createExclusive(tmpPath, "create the message file", folder: message.folder)
        defer { closeDescriptor(descriptor) }
        do {
            try fileSystem.writeAll(descriptor, message.bytes, "write the message", folder: message.folder)
        } catch {
            fileSystem.remove(tmpPath)
            throw error
        }
        fileSystem.startWriteback(descriptor)
        let base = MaildirNameMaker.base(unique: unique, size: message.bytes.count)
        staged[token] = .written(
            Staged(
                tmpPath: tmpPath, base: base, folder: message.folder, marker: message.marker, origin: message.origin,
                size: message.bytes.count, flags: String(Set(message.flags.filter { $0.isASCII && $0.isLetter }).sorted())))
        if let origin = message.origin { stagedOrigins[origin] = base }
        return token
    }

    /// Makes staged messages durable and visible together (steps 2 to 5, one `fsync` round per
    /// ``maximumStagedFiles``): one outcome per token, in order. On failure the messages of the
    /// failed round and after it are not visible (earlier rounds' are, and count as delivered
    /// when their origin is met again).
    func publishStaged(_ tokens: [Int]) throws -> [DeliveryOutcome] {
        var entries: [StagedEntry] = []
        for token in tokens {
            guard let entry = staged.removeValue(forKey: token) else {
                discardStaged(tokens)
                throw MailStoreError(.writerClosed, "a staged message was published or discarded already")
            }
            entries.append(entry)
            if case .written(let file) = entry, let origin = file.origin { stagedOrigins[origin] = nil }
        }
        let files = entries.compactMap { entry -> Staged? in
            if case .written(let file) = entry { return file }
            return nil
        }
        var published: [StoredMessage] = []
        var start = 0
        while start < files.count {
            let end = min(start + Self.maximumStagedFiles, files.count)
            let round = Array(files[start..<end])
            var descriptors: [Int32] = []
            defer { descriptors.forEach { closeDescriptor($0) } }
            do {
                for file in round {
                    descriptors.append(try fileSystem.openForReading(file.tmpPath, "open the message file", folder: file.folder))
                }
                published += try publish(round, unsynced: descriptors)
            } catch {
                files[start...].forEach { fileSystem.remove($0.tmpPath) }
                throw error
            }
            start = end
        }
        var next = published.makeIterator()
        return entries.map { entry in
            switch entry {
            case .written: .delivered(next.next()!)
            case .duplicate(let existing): .duplicate(existing: StoredMessage.ID(existing))
            }
        }
    }

    /// Removes staged messages that will not be published.
    func discardStaged(_ tokens: [Int]) {
        for token in tokens {
            guard case .written(let file)? = staged.removeValue(forKey: token) else { continue }
            fileSystem.remove(file.tmpPath)
            if let origin = file.origin { stagedOrigins[origin] = nil }
        }
    }

    /// Records written temporary files in the index, syncs them and the index together,
    /// renames them into `new/` and syncs each `new/` once.
    ///
    /// `unsynced` are the open descriptors of `files` (one each). Syncing them in the
    /// same round as the index lets one journal commit cover the whole batch; both must
    /// be durable before the first rename. On failure nothing of `files` stays visible:
    /// renamed files are unlinked again, so their index records point at nothing and
    /// count as "not delivered".
    private func publish(_ files: [Staged], unsynced: [Int32]) throws -> [StoredMessage] {
        guard !files.isEmpty else { return [] }
        var renamed = [String]()
        do {
            let lines = files.map {
                MaildirIndex.line(for: .delivered(base: $0.base, origin: $0.origin, marker: $0.marker))
            }
            try appendToIndex(Array(lines.joined().utf8), syncing: zip(unsynced, files).map { ($0, $1.folder) })
            var newDirectories = [String: Folder]()
            var letters = [Folder: [MarkerColor: Character?]]()
            for file in files {
                // A marked message goes straight to cur/ with its keyword's flag letter, so IMAP
                // clients reading the Maildir through Dovecot see the marker as a keyword.
                var letter: Character?
                if let marker = file.marker {
                    if let known = letters[file.folder]?[marker] {
                        letter = known
                    } else {
                        letter = try keywordLetter(for: marker, in: file.folder)
                        letters[file.folder, default: [:]][marker] = letter
                    }
                }
                // Flags the message arrived with (seen, flagged) also put it in cur/ (Maildir's info part).
                let info = String((file.flags + (letter.map { String($0) } ?? "")).sorted())
                let directory = try layout.directory(of: file.folder) + (info.isEmpty ? "/new" : "/cur")
                let destination = directory + "/" + file.base + (info.isEmpty ? "" : ":2,\(info)")
                try fileSystem.rename(file.tmpPath, destination, "move the message into the folder", folder: file.folder)
                renamed.append(destination)
                newDirectories[directory] = file.folder
            }
            for (directory, folder) in newDirectories {
                try fileSystem.syncDirectory(directory, "sync the folder", folder: folder)
            }
        } catch {
            renamed.forEach(fileSystem.remove)
            files.forEach { fileSystem.remove($0.tmpPath) }
            throw error
        }
        return files.map { file in
            locations[file.base] = file.folder
            metadata[file.base] = Metadata(origin: file.origin, marker: file.marker)
            if let origin = file.origin { byOrigin[origin] = file.base }
            return StoredMessage(
                id: StoredMessage.ID(file.base), folder: file.folder, origin: file.origin, marker: file.marker,
                size: file.size)
        }
    }

    // MARK: Streaming delivery

    func beginDelivery(to folder: Folder, marker: MarkerColor?, origin: MessageOrigin?) throws -> Int {
        try checkOpen()
        try ensureFolder(folder)
        let unique = names.next()
        let tmpPath = try layout.directory(of: folder) + "/tmp/" + unique
        let descriptor = try fileSystem.createExclusive(tmpPath, "create the message file", folder: folder)
        nextToken += 1
        pending[nextToken] = Pending(
            unique: unique, tmpPath: tmpPath, descriptor: descriptor, folder: folder, marker: marker, origin: origin,
            size: 0)
        return nextToken
    }

    func append(_ bytes: [UInt8], to token: Int) throws {
        guard let entry = pending[token] else { throw MailStoreError(.writerClosed, "append after commit or abort") }
        do {
            try fileSystem.writeAll(entry.descriptor, bytes, "write the message", folder: entry.folder)
            pending[token]?.size += bytes.count
        } catch {
            abort(token)
            throw error
        }
    }

    func commit(_ token: Int) throws -> DeliveryOutcome {
        guard let entry = pending.removeValue(forKey: token) else {
            throw MailStoreError(.writerClosed, "commit after commit or abort")
        }
        if let origin = entry.origin, let existing = byOrigin[origin] {
            closeDescriptor(entry.descriptor)
            fileSystem.remove(entry.tmpPath)
            return .duplicate(existing: StoredMessage.ID(existing))
        }
        defer { closeDescriptor(entry.descriptor) }
        let staged = Staged(
            tmpPath: entry.tmpPath, base: MaildirNameMaker.base(unique: entry.unique, size: entry.size),
            folder: entry.folder, marker: entry.marker, origin: entry.origin, size: entry.size)
        let published = try publish([staged], unsynced: [entry.descriptor])
        return .delivered(published[0])
    }

    /// Turns a streamed message into a staged one (``stage(_:)``): its file closed in `tmp/`,
    /// published by ``publishStaged(_:)`` with the others.
    func stageWriter(_ token: Int) throws -> Int {
        guard let entry = pending.removeValue(forKey: token) else {
            throw MailStoreError(.writerClosed, "stage after commit or abort")
        }
        nextToken += 1
        let stagedToken = nextToken
        if let origin = entry.origin, let existing = byOrigin[origin] ?? stagedOrigins[origin] {
            closeDescriptor(entry.descriptor)
            fileSystem.remove(entry.tmpPath)
            staged[stagedToken] = .duplicate(existing: existing)
            return stagedToken
        }
        fileSystem.startWriteback(entry.descriptor)
        closeDescriptor(entry.descriptor)
        let base = MaildirNameMaker.base(unique: entry.unique, size: entry.size)
        staged[stagedToken] = .written(
            Staged(
                tmpPath: entry.tmpPath, base: base, folder: entry.folder, marker: entry.marker, origin: entry.origin,
                size: entry.size))
        if let origin = entry.origin { stagedOrigins[origin] = base }
        return stagedToken
    }

    func abort(_ token: Int) {
        guard let entry = pending.removeValue(forKey: token) else { return }
        closeDescriptor(entry.descriptor)
        fileSystem.remove(entry.tmpPath)
    }

    // MARK: Reading and changing

    func message(from origin: MessageOrigin) throws -> StoredMessage.ID? {
        try checkOpen()
        return byOrigin[origin].map(StoredMessage.ID.init)
    }

    func messages(in folder: Folder) throws -> [StoredMessage] {
        try checkOpen()
        let directory = try layout.directory(of: folder)
        guard fileSystem.isDirectory(directory + "/cur") else {
            throw MailStoreError(.folderNotFound, "no such folder", folder: folder)
        }
        var found = [(key: (Int, Int, String), message: StoredMessage)]()
        for subdirectory in ["new", "cur"] {
            for name in fileSystem.contents(of: directory + "/" + subdirectory) where !name.hasPrefix(".") {
                let fileName = MaildirFileName(parsing: name)
                locations[fileName.base] = folder
                let entry = metadata[fileName.base]
                let size = fileName.size ?? fileSystem.fileSize(directory + "/" + subdirectory + "/" + name) ?? 0
                let message = StoredMessage(
                    id: StoredMessage.ID(fileName.base), folder: folder, origin: entry?.origin, marker: entry?.marker,
                    size: size, isSeen: subdirectory == "cur" && fileName.flags.contains("S"))
                found.append((fileName.sortKey, message))
            }
        }
        return found.sorted { $0.key < $1.key }.map(\.message)
    }

    /// The folder, sub-directory (`new` or `cur`) and file name of a message, looking again
    /// at the disk when another program (Dovecot moving it to `cur/`) changed it.
    private func locate(_ id: StoredMessage.ID) throws -> (folder: Folder, subdirectory: String, name: String) {
        try checkOpen()
        for attempt in 0..<2 {
            if attempt == 1 { for folder in scanFolders() { recover(folder) } }
            guard let folder = locations[id.rawValue] else { continue }
            let directory = try layout.directory(of: folder)
            if fileSystem.exists(directory + "/new/" + id.rawValue) { return (folder, "new", id.rawValue) }
            if let name = fileSystem.contents(of: directory + "/cur").first(where: {
                MaildirFileName(parsing: $0).base == id.rawValue
            }) {
                return (folder, "cur", name)
            }
            locations[id.rawValue] = nil
        }
        throw MailStoreError(.messageNotFound, "no message \(id)")
    }

    func read(_ id: StoredMessage.ID) throws -> [UInt8] {
        let (folder, subdirectory, name) = try locate(id)
        return try fileSystem.readAll(
            layout.directory(of: folder) + "/" + subdirectory + "/" + name, "read the message", folder: folder)
    }

    func setMarker(_ marker: MarkerColor?, for id: StoredMessage.ID) throws {
        let (folder, subdirectory, name) = try locate(id)
        try appendToIndex(Array(MaildirIndex.line(for: .marked(base: id.rawValue, marker: marker)).utf8))
        metadata[id.rawValue, default: Metadata()].marker = marker
        // The file name's keyword letters follow: the old marker's letter out, the new one's in.
        let directory = try layout.directory(of: folder)
        let keywords = MaildirKeywords(
            parsing: (try? fileSystem.readAll(directory + "/" + MaildirKeywords.fileName, "read the keywords")) ?? [])
        let markerKeywords = Set(MarkerColor.palette.map(\.imapKeyword))
        let fileName = MaildirFileName(parsing: name)
        var flags = fileName.flags.filter { flag in
            guard let index = MaildirKeywords.letters.firstIndex(of: flag), let keyword = keywords.keywords[index] else {
                return true
            }
            return !markerKeywords.contains(keyword) && !keyword.hasPrefix("maillink-")
        }
        if let marker, let letter = try keywordLetter(for: marker, in: folder) { flags.append(letter) }
        let sorted = String(flags.sorted())
        guard subdirectory == "new" ? !sorted.isEmpty : sorted != fileName.flags else { return }
        let target = directory + "/cur/" + fileName.base + ":2," + sorted
        try fileSystem.rename(directory + "/" + subdirectory + "/" + name, target, "rename the message", folder: folder)
        try fileSystem.syncDirectory(directory + "/cur", "sync the folder", folder: folder)
        if subdirectory == "new" { try fileSystem.syncDirectory(directory + "/new", "sync the folder", folder: folder) }
    }

    /// The flag letter of `marker`'s IMAP keyword in `folder`, recording the keyword in the
    /// folder's `dovecot-keywords` when it is new there; nil when all 26 letters are taken.
    private func keywordLetter(for marker: MarkerColor, in folder: Folder) throws -> Character? {
        let path = try layout.directory(of: folder) + "/" + MaildirKeywords.fileName
        var keywords = MaildirKeywords(
            parsing: fileSystem.exists(path) ? try fileSystem.readAll(path, "read the keywords", folder: folder) : [])
        if let letter = keywords.letter(of: marker.imapKeyword) { return letter }
        guard let letter = keywords.assign(marker.imapKeyword) else { return nil }
        try DurableFile.replaceBlocking(at: path, with: keywords.serialized)
        return letter
    }

    func remove(_ id: StoredMessage.ID) throws {
        let (folder, subdirectory, name) = try locate(id)
        let directory = try layout.directory(of: folder) + "/" + subdirectory
        guard unlink(directory + "/" + name) == 0 || errno == ENOENT else {
            throw MailStoreError.system("remove the message", errno: errno, folder: folder)
        }
        try fileSystem.syncDirectory(directory, "sync the folder", folder: folder)
        forget(id.rawValue)
    }

    private func forget(_ base: String) {
        if let origin = metadata[base]?.origin, byOrigin[origin] == base { byOrigin[origin] = nil }
        metadata[base] = nil
        locations[base] = nil
    }

    func removeFolder(_ folder: Folder) throws {
        try checkOpen()
        guard !folder.isInbox else {
            throw MailStoreError(.invalidFolderName, "the Inbox cannot be removed", folder: folder)
        }
        let directory = try layout.directory(of: folder)
        guard fileSystem.isDirectory(directory + "/cur") else {
            throw MailStoreError(.folderNotFound, "no such folder", folder: folder)
        }
        guard !scanFolders().contains(where: { $0.parent == folder }) else {
            throw MailStoreError(.invalidFolderName, "the folder has sub-folders; remove them first", folder: folder)
        }
        for subdirectory in ["cur", "new", "tmp"] {
            for name in fileSystem.contents(of: directory + "/" + subdirectory) {
                if subdirectory != "tmp" { forget(MaildirFileName(parsing: name).base) }
                _ = unlink(directory + "/" + subdirectory + "/" + name)
            }
            guard rmdir(directory + "/" + subdirectory) == 0 || errno == ENOENT else {
                throw MailStoreError.system("remove the folder", errno: errno, folder: folder)
            }
        }
        for name in fileSystem.contents(of: directory) { _ = unlink(directory + "/" + name) }
        guard rmdir(directory) == 0 else { throw MailStoreError.system("remove the folder", errno: errno, folder: folder) }
        knownFolders.remove(folder)
        try fileSystem.syncDirectory(root, "sync the store directory", folder: nil)
    }

    func move(_ id: StoredMessage.ID, to destination: Folder) throws {
        let (folder, subdirectory, name) = try locate(id)
        guard folder != destination else { return }
        try ensureFolder(destination)
        let sourceDirectory = try layout.directory(of: folder) + "/" + subdirectory
        let targetDirectory = try layout.directory(of: destination) + "/" + subdirectory
        try fileSystem.rename(
            sourceDirectory + "/" + name, targetDirectory + "/" + name, "move the message", folder: destination)
        locations[id.rawValue] = destination
        try fileSystem.syncDirectory(targetDirectory, "sync the folder", folder: destination)
        try fileSystem.syncDirectory(sourceDirectory, "sync the folder", folder: folder)
    }
}

#if canImport(Glibc)
    @inline(__always) func closeDescriptor(_ descriptor: Int32) { _ = Glibc.close(descriptor) }
#elseif canImport(Darwin)
    @inline(__always) func closeDescriptor(_ descriptor: Int32) { _ = Darwin.close(descriptor) }
#endif
