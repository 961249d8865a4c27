#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A Maildir file name: `<seconds>.M<microseconds>P<pid>Q<counter>.<host>,S=<size>[:2,<flags>]`.
///
/// The unique part follows the Maildir convention (cr.yp.to/proto/maildir.html, and
/// Dovecot's `M`/`P`/`Q` fields): time, process and a per-process counter make a name
/// no other delivery on this host can produce. `,S=` is the exact size in bytes, which
/// Dovecot's POP3 server trusts instead of reading the file. The info part `:2,` and
/// its flags (`S` seen, …) only appear once a reader moves the message to `cur/`.
struct MaildirFileName: Hashable, Sendable {
    /// The name without the info part: the message's identity, stable across `new/` → `cur/`.
    var base: String
    /// The flags after `:2,`, empty when there is no info part.
    var flags: String

    init(parsing name: String) {
        if let colon = name.firstIndex(of: ":") {
            base = String(name[..<colon])
            let info = name[name.index(after: colon)...]
            flags = info.hasPrefix("2,") ? String(info.dropFirst(2)) : ""
        } else {
            base = name
            flags = ""
        }
    }

    /// The size from `,S=`, `nil` when the name does not carry one.
    var size: Int? {
        for field in base.split(separator: ",").dropFirst() where field.hasPrefix("S=") {
            return Int(field.dropFirst(2))
        }
        return nil
    }

    /// Seconds and microseconds from the unique part, for ordering by delivery time.
    var sortKey: (Int, Int, String) {
        let parts = base.split(separator: ".", maxSplits: 2)
        let seconds = parts.first.flatMap { Int($0) } ?? 0
        var micros = 0
        if parts.count > 1, parts[1].hasPrefix("M") {
            micros = Int(parts[1].dropFirst().prefix { $0.isNumber }) ?? 0
        }
        return (seconds, micros, base)
    }

    /// The writer's process id and host from the unique part (`P<pid>` … `.<host>`), when present.
    var writer: (pid: Int32, host: String)? {
        let parts = base.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, let p = parts[1].firstIndex(of: "P") else { return nil }
        guard let pid = Int32(parts[1][parts[1].index(after: p)...].prefix { $0.isNumber }) else { return nil }
        let host = parts[2].split(separator: ",", maxSplits: 1).first.map(String.init) ?? ""
        return (pid, host)
    }
}

/// Makes unique Maildir names for one process.
struct MaildirNameMaker {
    let host: String
    let pid: Int32
    private var counter: UInt64 = 0

    init() {
        var buffer = [CChar](repeating: 0, count: 256)
        let name =
            gethostname(&buffer, buffer.count - 1) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        host = MaildirNameMaker.escapedHost(name.isEmpty ? "localhost" : name)
        pid = getpid()
    }

    /// The convention's escaping: `/` → `\057`, `:` → `\072` (and `,`, which would end the unique part early).
    static func escapedHost(_ host: String) -> String {
        var result = ""
        for character in host {
            switch character {
            case "/": result += "\\057"
            case ":": result += "\\072"
            case ",": result += "\\054"
            default: result.append(character)
            }
        }
        return result
    }

    /// The next unique part, without size.
    mutating func next() -> String {
        counter += 1
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let micros = now.tv_nsec / 1000
        return "\(now.tv_sec).M\(micros)P\(pid)Q\(counter).\(host)"
    }

    /// The final base name: the unique part and the exact size.
    static func base(unique: String, size: Int) -> String {
        "\(unique),S=\(size)"
    }
}
