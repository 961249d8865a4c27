/// The registrable domain ("eTLD+1") of a host name, for MX matching and for showing the user
/// which organisations the servers belong to.
///
/// MailLink carries no full Public Suffix List (no resources, no dependencies): it knows the
/// multi-label public suffixes that mail providers actually use (`co.uk`, `com.au`, …) and
/// treats every other TLD as a single-label suffix. Unlike the full Public Suffix List, a host
/// under an unlisted multi-label suffix yields a domain one label too short, which can only
/// make MX matching miss (never match the wrong provider) because matches are exact.
enum RegistrableDomain {
    /// Multi-label public suffixes seen in mail domains.
    static let multiLabelSuffixes: Set<String> = [
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk", "net.uk",
        "com.au", "net.au", "org.au", "edu.au", "co.nz", "net.nz", "org.nz", "co.jp", "ne.jp", "or.jp", "ac.jp",
        "co.in", "net.in", "org.in", "com.br", "net.br", "org.br", "com.ar", "com.mx", "com.tr", "com.my",
        "com.sg", "com.hk", "com.tw", "com.cn", "net.cn", "org.cn", "co.za", "co.kr", "or.kr", "com.ua",
        "co.il", "org.il", "ac.il", "com.pl", "co.at", "or.at", "com.es", "com.pt", "com.ph", "co.id",
        "co.th", "com.vn", "com.co", "com.pe", "com.ve", "com.ec", "com.eg", "com.sa", "msk.ru", "spb.ru",
    ]

    /// `mx1.mail.example.co.uk` → `example.co.uk`; IP literals and single labels unchanged.
    static func of(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if TLSLiteral.isIP(name) { return name }
        let labels = name.split(separator: ".")
        guard labels.count > 2 else { return name }
        let lastTwo = labels.suffix(2).joined(separator: ".")
        let count = multiLabelSuffixes.contains(lastTwo) ? 3 : 2
        return labels.suffix(count).joined(separator: ".")
    }

    /// The host without its first label (`mx1.mail.example.com` → `mail.example.com`).
    static func parent(of host: String) -> String? {
        guard let dot = host.firstIndex(of: ".") else { return nil }
        let rest = String(host[host.index(after: dot)...])
        return rest.contains(".") ? rest : nil
    }

    /// Whether `host` is `domain` or below it.
    static func host(_ host: String, isWithin domain: String) -> Bool {
        let host = host.lowercased()
        return host == domain || host.hasSuffix("." + domain)
    }
}
