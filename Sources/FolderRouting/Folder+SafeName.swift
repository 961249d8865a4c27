import MailMessage

extension Folder {
    /// Turns any text into a valid, readable folder component.
    ///
    /// Why: linked accounts are named by addresses such as `alice@example.com`, whose
    /// dots would split a Maildir++ folder in two, and users type anything. The result
    /// keeps every letter (Cyrillic stays Cyrillic: stores encode it), replaces `.`, `/`
    /// and `\` with `_`, drops control and format characters, trims white space,
    /// collapses runs of white space to one space, and cuts the text at
    /// ``maximumComponentLength`` scalars. Text with nothing left becomes `Account`.
    ///
    /// `"alice@example.com"` → `"alice@example_com"`.
    public static func safeComponent(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
                continue
            }
            let replacement: Unicode.Scalar?
            switch scalar {
            case ".", "/", "\\": replacement = "_"
            default: replacement = isForbidden(scalar) ? nil : scalar
            }
            guard let kept = replacement else { continue }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            scalars.append(kept)
        }
        var result = String(String.UnicodeScalarView(scalars.prefix(maximumComponentLength))).trimmingWhiteSpace()
        if result.isEmpty { result = "Account" }
        if result.uppercased() == "INBOX" { result += "_" }
        return result
    }

    /// The top-level folder named after a linked account, made safe and distinct from `existing`.
    ///
    /// This is Hotmail's default destination: a new folder named after the account.
    /// When the safe name is taken (compared without regard to case, as IMAP clients
    /// on case-insensitive file systems would), ` (2)`, ` (3)`, … is appended:
    /// `a.b@x.org` and `a_b@x.org` become `a_b@x_org` and `a_b@x_org (2)`.
    ///
    /// Call it once, when the account is linked, and keep the result with the account:
    /// the name must not change when other folders appear later.
    public static func named(afterAccount account: String, avoiding existing: some Sequence<Folder>) -> Folder {
        let base = safeComponent(account)
        // A nested folder's top level counts as taken: Maildir++ shows it as a parent.
        let taken = Set(existing.compactMap { $0.components.first?.lowercased() })
        if !taken.contains(base.lowercased()) {
            return Folder(uncheckedComponents: [base])
        }
        var number = 2
        while true {
            let suffix = " (\(number))"
            let room = maximumComponentLength - suffix.unicodeScalars.count
            let stem = String(String.UnicodeScalarView(base.unicodeScalars.prefix(room))).trimmingWhiteSpace()
            let candidate = stem + suffix
            if !taken.contains(candidate.lowercased()) {
                return Folder(uncheckedComponents: [candidate])
            }
            number += 1
        }
    }
}
