import MailMessage

/// A mail folder: the Inbox, or a user folder with a nested name such as `Work/Clients`.
///
/// A folder is a pure value: its ``components`` are the Unicode names a user sees,
/// never the encoded form a store writes on disk (``MaildirStore`` encodes each
/// component in modified UTF-7, RFC 3501 §5.1.3, and joins them with `.` as
/// Maildir++ does). A component is valid when it is non-empty, has no surrounding
/// white space, and contains no `/`, no `\`, no `.` (the Maildir++ hierarchy separator)
/// and no control or format character; ``safeComponent(_:)`` turns any text into a valid one.
public struct Folder: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The names from the top of the hierarchy down; empty for the Inbox.
    public let components: [String]

    /// The Inbox, where mail lands when no folder is chosen (RFC 3501 §5.1: the name `INBOX` is special).
    public static let inbox = Folder(uncheckedComponents: [])

    /// The longest component this type accepts, in Unicode scalars.
    ///
    /// Maildir++ keeps a whole folder path in one directory name, and Linux limits a
    /// name to 255 bytes (`NAME_MAX`); 64 scalars leave room for a few nested levels
    /// even when modified UTF-7 needs about 2.7 bytes per non-ASCII character.
    public static let maximumComponentLength = 64

    /// Creates a folder from already valid components.
    ///
    /// - Throws: ``MailStoreError/Code-swift.struct/invalidFolderName`` when a component is
    ///   empty, too long, or contains `/`, `.` or a control character, or names the Inbox.
    public init(_ components: [String]) throws {
        guard !components.isEmpty else {
            throw MailStoreError(.invalidFolderName, "a user folder needs at least one name; use Folder.inbox")
        }
        for component in components where !Folder.isValidComponent(component) {
            throw MailStoreError(
                .invalidFolderName, "folder name \"\(component)\" is not valid: use Folder.safeComponent(_:)")
        }
        if components.count == 1, components[0].uppercased() == "INBOX" {
            throw MailStoreError(.invalidFolderName, "INBOX is reserved: use Folder.inbox")
        }
        self.components = components
    }

    /// Creates a folder from a path whose components are separated by `/`, e.g. `"Work/Clients"`.
    ///
    /// `"INBOX"` (any case) and the empty path give ``inbox``.
    public init(path: String) throws {
        if path.isEmpty || path.uppercased() == "INBOX" {
            self = .inbox
            return
        }
        try self.init(path.split(separator: "/", omittingEmptySubsequences: false).map(String.init))
    }

    init(uncheckedComponents: [String]) {
        self.components = uncheckedComponents
    }

    /// Whether this is the Inbox.
    public var isInbox: Bool { components.isEmpty }

    /// The last component, or `INBOX` for the Inbox.
    public var name: String { components.last ?? "INBOX" }

    /// The path with `/` between components, `INBOX` for the Inbox.
    public var path: String { isInbox ? "INBOX" : components.joined(separator: "/") }

    /// The folder that contains this one, `nil` for a top-level folder and for the Inbox.
    public var parent: Folder? {
        components.count > 1 ? Folder(uncheckedComponents: Array(components.dropLast())) : nil
    }

    /// A sub-folder of this folder.
    ///
    /// - Throws: ``MailStoreError/Code-swift.struct/invalidFolderName`` when `name` is not a valid component.
    public func appending(_ name: String) throws -> Folder {
        try Folder(components + [name])
    }

    /// The folder's ``path``.
    public var description: String { path }

    /// Whether `component` can be used as one level of a folder name as it is.
    public static func isValidComponent(_ component: String) -> Bool {
        guard !component.isEmpty, component.unicodeScalars.count <= maximumComponentLength,
            component.trimmingWhiteSpace() == component
        else { return false }
        return !component.unicodeScalars.contains { isForbidden($0) }
    }

    static func isForbidden(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "/" || scalar == "." || scalar == "\\" || scalar.properties.generalCategory == .control
            || scalar.properties.generalCategory == .format || scalar.properties.generalCategory == .lineSeparator
            || scalar.properties.generalCategory == .paragraphSeparator
    }

    /// Decodes a folder from its list of components (empty for the Inbox), validating each.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let components = try container.decode([String].self)
        if components.isEmpty {
            self = .inbox
        } else {
            try self.init(components)
        }
    }

    /// Encodes the folder as its list of components.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(components)
    }
}
