/// Dovecot's `dovecot-keywords` file of one Maildir folder: which IMAP keyword each lower-case
/// flag letter in a file name's info part (`:2,a`) stands for.
///
/// Each line is `<index> <keyword>`; index 0 is the letter `a`, up to 25 for `z` (Dovecot's
/// Maildir format, doc.dovecot.org "Maildir mailbox format", "IMAP keywords"). A folder that
/// already uses all 26 letters gets no new keyword: the marker then lives in MailLink's index only.
struct MaildirKeywords {
    static let fileName = "dovecot-keywords"
    static let letters = Array("abcdefghijklmnopqrstuvwxyz")

    private(set) var keywords: [Int: String]

    init(parsing bytes: [UInt8]) {
        var keywords: [Int: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let index = Int(parts[0]), (0..<26).contains(index) else { continue }
            keywords[index] = String(parts[1])
        }
        self.keywords = keywords
    }

    /// The letter of `keyword`, nil when it has none.
    func letter(of keyword: String) -> Character? {
        keywords.first { $0.value == keyword }.map { Self.letters[$0.key] }
    }

    /// The letter of `keyword`, giving it the lowest free index when it has none; nil when all are taken.
    mutating func assign(_ keyword: String) -> Character? {
        if let letter = letter(of: keyword) { return letter }
        guard let free = (0..<26).first(where: { keywords[$0] == nil }) else { return nil }
        keywords[free] = keyword
        return Self.letters[free]
    }

    /// The file's contents.
    var serialized: [UInt8] {
        Array(keywords.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)\n" }.joined().utf8)
    }
}
