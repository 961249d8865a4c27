import FolderRouting
import SMTPSender
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// How a folder becomes the address an LMTP server delivers into, for servers that pick the
/// folder from the address's detail (Dovecot's `lmtp_save_to_detail_mailbox`, Cyrus's
/// `user+folder@`): `judy+{folder}@example.test` sends `Work/Clients` to
/// `judy+Work.Clients@example.test` and the Inbox to `judy@example.test`.
///
/// `{folder}` is replaced by the folder's components joined with the server's hierarchy
/// separator (`.` for Dovecot's Maildir++ layout). For the Inbox the placeholder goes, with the
/// delimiter right before it (`+` or `-`). A template without the placeholder sends every message
/// to one address. A local part that is not a plain dot-atom after the substitution (a folder
/// named after an address, `ivan@example_test`, or with a space, `Old mailbox`) is sent quoted
/// (RFC 5321 §4.1.2 `Quoted-string`); non-ASCII names are refused, since they would need SMTPUTF8
/// (RFC 6531), which Dovecot's LMTP does not offer.
///
/// ```swift
/// let template = try LMTPRecipientTemplate("judy+{folder}@example.test")
/// try template.recipient(for: try Folder(path: "Work/Clients"))   // judy+Work.Clients@example.test
/// try template.recipient(for: .inbox)                             // judy@example.test
/// ```
public struct LMTPRecipientTemplate: Sendable, Hashable, CustomStringConvertible {
    /// The placeholder for the folder.
    public static let placeholder = "{folder}"

    /// The template as given.
    public let text: String
    /// What joins the components of a nested folder in the server's mailbox names.
    public let hierarchySeparator: String

    /// A template; it must make a valid address for the Inbox.
    /// - Throws: ``FolderRouting/MailStoreError`` (`.invalidFolderName`) when `text` is not an
    ///   address with at most one `{folder}`, in its local part.
    public init(_ text: String, hierarchySeparator: String = ".") throws {
        self.text = text
        self.hierarchySeparator = hierarchySeparator
        let pieces = text.components(separatedBy: Self.placeholder)
        guard pieces.count <= 2, let at = text.lastIndex(of: "@"),
            !text[at...].contains(Self.placeholder)
        else {
            throw MailStoreError(
                .invalidFolderName,
                "the recipient template \(text) must be an address with at most one \(Self.placeholder), before the @")
        }
        _ = try recipient(for: .inbox)
    }

    /// The address for `folder`.
    /// - Throws: ``FolderRouting/MailStoreError`` (`.invalidFolderName`) when the folder's name
    ///   cannot be part of an address (control or non-ASCII characters, angle brackets, too long).
    public func recipient(for folder: Folder) throws -> SMTPPath {
        var address = text
        if let range = address.firstRange(of: Self.placeholder) {
            if folder.isInbox {
                var start = range.lowerBound
                if start > address.startIndex, "+-".contains(address[address.index(before: start)]) {
                    start = address.index(before: start)
                }
                address.replaceSubrange(start..<range.upperBound, with: "")
            } else {
                address.replaceSubrange(range, with: folder.components.joined(separator: hierarchySeparator))
            }
        }
        guard let at = address.lastIndex(of: "@") else { preconditionFailure("checked when the template was made") }
        let local = String(address[..<at])
        let domain = String(address[address.index(after: at)...])
        do {
            if Self.isDotAtom(local) { return try SMTPPath(address) }
            return try SMTPPath(quotedLocalPart: local, domain: domain)
        } catch {
            throw MailStoreError(
                .invalidFolderName,
                "the folder \(folder) cannot be part of an LMTP recipient address (\(error.detail)); rename it",
                folder: folder)
        }
    }

    /// The template.
    public var description: String { text }

    /// RFC 5322 §3.2.3 `atext`, the characters of an unquoted local part besides letters and digits.
    private static let atextSymbols = Set("!#$%&'*+-/=?^_`{|}~")

    /// Whether `local` is a dot-atom: atoms of `atext` joined by single dots (RFC 5321 §4.1.2 `Dot-string`).
    static func isDotAtom(_ local: String) -> Bool {
        let atoms = local.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || atextSymbols.contains($0)) }
        }
    }
}
