import FolderRouting
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failure to read or write one of the linker's own files (accounts, secrets, sync records,
/// identities), with the path and what to do. A file that cannot be read is never overwritten:
/// the error stops the operation, so nothing in it is lost.
public struct StateFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file exists but is not in the expected format (corrupt, or edited by hand).
        public static let unreadable = Code("unreadable")
        /// The file was written by a newer MailLink.
        public static let newerVersion = Code("newer version")
        /// The secret cannot be kept in this store (an OAuth 2.0 token provider in a file).
        public static let unsupportedSecret = Code("unsupported secret")
        /// The folder for the files does not exist and cannot be created (or is not a folder).
        public static let folderUnusable = Code("folder unusable")
    }

    /// What went wrong.
    public var code: Code
    /// The file or folder.
    public var path: String
    /// Details in plain words.
    public var detail: String

    /// An error about `path`.
    public init(_ code: Code, path: String, detail: String) {
        self.code = code
        self.path = path
        self.detail = detail
    }

    /// `cannot use PATH: detail`.
    public var description: String { "cannot use \(path): \(detail)" }

    /// What a person can do about it.
    public var recoverySuggestion: String {
        switch code {
        case .newerVersion: "Use the MailLink version that wrote this file, or a newer one."
        case .folderUnusable: "Choose a folder this program can create and write, or create it first."
        default: "Restore the file from a backup or repair it by hand; it was left exactly as it is."
        }
    }
}

/// The contents of one of the linker's JSON files. Each file names its format and version at the
/// top (`{"format": "maillink-accounts", "version": 1, …}`), so a reader can refuse a file it
/// does not understand instead of misreading it.
protocol StateFileContents: Codable, Sendable {
    /// The format's name, stored as `format`.
    static var format: String { get }
    /// The newest version this code writes and reads, stored as `version`.
    static var version: Int { get }
}

/// One of the linker's JSON files, pretty-printed with sorted keys, replaced durably and atomically
/// (temporary file, `fsync`, `rename`, `fsync` of the folder) and created with mode 0600.
struct StateFile<Contents: StateFileContents>: Sendable {
    let path: String

    private struct Header: Decodable {
        var format: String
        var version: Int
    }

    /// The contents, or nil when the file does not exist.
    func load() async throws -> Contents? {
        let bytes: [UInt8]?
        do {
            bytes = try await DurableFile.read(at: path)
        } catch {
            throw StateFileError(.unreadable, path: path, detail: "it cannot be read (\(error))")
        }
        guard let bytes else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let data = Data(bytes)
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw StateFileError(
                .unreadable, path: path, detail: "it is not a \(Contents.format) file: \(Self.explain(error))")
        }
        guard header.format == Contents.format else {
            throw StateFileError(.unreadable, path: path, detail: "it is a \(header.format) file, not \(Contents.format)")
        }
        guard header.version <= Contents.version else {
            throw StateFileError(
                .newerVersion, path: path,
                detail: "it has format version \(header.version); this MailLink reads up to \(Contents.version)")
        }
        do {
            return try decoder.decode(Contents.self, from: data)
        } catch {
            throw StateFileError(
                .unreadable, path: path, detail: "it is not a valid \(Contents.format) file: \(Self.explain(error))")
        }
    }

    /// Replaces the file with `contents`.
    func save(_ contents: Contents) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(contents)
        try await DurableFile.replace(at: path, with: Array(data) + [0x0A])
    }

    private static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
            DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return "\(path) is missing"
        default:
            return "malformed JSON"
        }
    }
}

/// Makes sure a folder for state files exists (creating it and its parents, mode 0700).
enum StateFolder {
    static func prepare(_ path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            guard type == .typeDirectory else {
                throw StateFileError(.folderUnusable, path: path, detail: "it exists but is not a folder")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw StateFileError(.folderUnusable, path: path, detail: "it cannot be created (\(Self.reason(error)))")
            }
        }
        guard FileManager.default.isWritableFile(atPath: path) else {
            throw StateFileError(.folderUnusable, path: path, detail: "it is not writable")
        }
    }

    private static func reason(_ error: any Error) -> String {
        systemReason(of: error) ?? "a parent is not a folder or not writable"
    }
}

/// The system's words for a failed file operation (`Permission denied`), from the POSIX error
/// under the file system's error; nil when there is none.
///
/// Shared with linkmail; not part of the public interface.
package func systemReason(of error: any Error) -> String? {
    let posix = error as? POSIXError ?? (error as? CocoaError)?.underlying as? POSIXError
    return posix.map { String(cString: strerror($0.code.rawValue)) }
}

extension StateFolder {
    /// The folder part of a file path (`.` when it has none).
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}
