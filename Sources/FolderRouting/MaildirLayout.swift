import MailMessage

/// Where a folder lives in a Maildir++ tree, the layout Dovecot reads by default.
///
/// The Inbox is the root (`cur/`, `new/`, `tmp/`); every other folder is one
/// directory at the root named `.` followed by its components, each in modified
/// UTF-7 (RFC 3501 §5.1.3), joined by `.`: `Work/Клиенты` → `.Work.&BBoEOwQ4BDUEPQRCBEs-`.
/// Dovecot shows these names decoded unless the mailbox was configured with the
/// `UTF-8` layout option (`mail_location = maildir:~/Maildir:UTF-8`), which MaildirStore
/// does not use. Each folder directory holds an empty `maildirfolder` file, as Maildir++
/// requires.
struct MaildirLayout {
    /// The store's root directory, without a trailing slash.
    let root: String

    /// Linux's limit on one name (`NAME_MAX`), which a whole Maildir++ folder path must fit in.
    static let maximumDirectoryNameLength = 255

    func directoryName(of folder: Folder) throws -> String? {
        guard !folder.isInbox else { return nil }
        let name = "." + folder.components.map(ModifiedUTF7.encode).joined(separator: ".")
        guard name.utf8.count <= MaildirLayout.maximumDirectoryNameLength else {
            throw MailStoreError(
                .invalidFolderName, "the folder's name is too long for a Maildir++ directory", folder: folder)
        }
        return name
    }

    func directory(of folder: Folder) throws -> String {
        guard let name = try directoryName(of: folder) else { return root }
        return root + "/" + name
    }

    /// The folder a root entry names, `nil` when the entry is not a folder name.
    static func folder(forDirectoryName name: String) -> Folder? {
        guard name.hasPrefix("."), name.count > 1 else { return nil }
        let parts = name.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        guard !parts.contains(where: \.isEmpty) else { return nil }
        return Folder(uncheckedComponents: parts.map { ModifiedUTF7.decode(String($0)) ?? String($0) })
    }
}
