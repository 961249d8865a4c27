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

/// A date as written in mail (`Date`, `Resent-Date`, `Received`), RFC 5322 §3.3: an instant
/// and the sender's offset from UTC.
///
/// Parsing accepts the obsolete and broken forms real mail has (RFC 5322 §4.3): two- and
/// three-digit years, named zones (`GMT`, `EST`, `PDT`…), military zones (read as `-0000`),
/// missing seconds or day name, comments such as `(UTC)`, full month names, `asctime` order
/// (`Thu Feb 13 23:32:54 1969`) and a missing zone (taken as UTC). Formatting always writes
/// the RFC 5322 form, `Thu, 13 Feb 1969 23:32:54 -0330`, without a locale or `DateFormatter`.
public struct MailDate: Sendable, Hashable, CustomStringConvertible {
    /// The instant.
    public let date: Date
    /// The writer's offset from UTC in minutes (e.g. -210 for `-0330`).
    public let utcOffsetMinutes: Int

    /// Creates a mail date for an instant as seen at an offset from UTC.
    public init(date: Date, utcOffsetMinutes: Int = 0) {
        self.date = date
        self.utcOffsetMinutes = max(-1439, min(1439, utcOffsetMinutes))
    }

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let dayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]  // 1970-01-01 was a Thursday
    /// Zone names of RFC 5322 §4.3 and common extras, in minutes east of UTC.
    static let zones: [String: Int] = [
        "ut": 0, "utc": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
        "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "bst": 60, "cet": 60, "cest": 120,
        "eet": 120, "eest": 180, "msk": 180, "msd": 240,
    ]

    /// Parses a date header value.
    /// - Throws: ``MessageError`` with `invalidDate` when no day, month, year and time can be found.
    public init(parsing text: some StringProtocol) throws(MessageError) {
        if let canonical = MailDate(canonical: text) {
            self = canonical
        } else {
            try self.init(generalParsing: text)
        }
    }

    /// Every form ``init(parsing:)`` accepts, word by word.
    init(generalParsing text: some StringProtocol) throws(MessageError) {
        var words: [Substring] = []
        var depth = 0
        var current = ""
        var all: [String] = []
        for character in text.prefix(256).lowercased() {
            if character == "(" {
                depth += 1
                continue
            }
            if character == ")" {
                depth = max(0, depth - 1)
                continue
            }
            if depth > 0 { continue }
            if character == " " || character == "\t" || character == "," || character == "\r" || character == "\n" {
                if !current.isEmpty {
                    all.append(current)
                    current = ""
                }
                if all.count > 16 { break }  // a date has at most 7 words; stop reading junk
                continue
            }
            if current.count > 32 { continue }  // no date word is this long
            current.append(character)
        }
        if !current.isEmpty { all.append(current) }
        words = all.map { Substring($0) }

        var day: Int?
        var month: Int?
        var year: Int?
        var yearDigits = 4
        var hour: Int?
        var minute = 0
        var second = 0
        var offset: Int?
        var numbers: [(value: Int, digits: Int)] = []

        for var word in words {
            // "13-feb-1969" style dates: split on dashes when a month name is inside.
            if word.contains("-"), !word.hasPrefix("-"), word.split(separator: "-").count == 3 {
                let pieces = word.split(separator: "-")
                if MailDate.months.contains(where: { pieces[1].hasPrefix($0) }) {
                    for piece in pieces { MailDate.classify(piece, &month, &numbers) }
                    continue
                }
            }
            if word.contains(":") {
                let parts = word.split(separator: ":", omittingEmptySubsequences: false)
                if hour == nil, parts.count >= 2, parts.count <= 3,
                    let h = Int(parts[0]), let m = Int(parts[1]),
                    parts.count == 2 || Int(parts[2].prefix(2)) != nil
                {
                    hour = h
                    minute = m
                    if parts.count == 3, let s = Int(parts[2].prefix(2)) { second = s }
                    continue
                }
                if word.first == "+" || word.first == "-", parts.count == 2 {
                    word = Substring(word.replacing(":", with: ""))
                }
            }
            if (word.first == "+" || word.first == "-"), word.count == 5, let value = Int(word.dropFirst()) {
                let sign = word.first == "-" ? -1 : 1
                offset = sign * (value / 100 * 60 + value % 100)
                continue
            }
            if let zone = MailDate.zones[String(word)] {
                if offset == nil { offset = zone }
                continue
            }
            if word.count == 1, let letter = word.first, letter.isLetter, hour != nil {
                if offset == nil { offset = 0 }  // military zone: RFC 5322 §4.3 says treat as -0000
                continue
            }
            if Int(word) != nil {
                numbers.append((Int(word) ?? 0, word.count))
                continue
            }
            MailDate.classify(word, &month, &numbers)
        }
        // Day and year from the numbers: a value above 31 or of 3+ digits is the year.
        for number in numbers {
            if day == nil, number.digits <= 2, number.value >= 1, number.value <= 31 {
                day = number.value
            } else if year == nil {
                year = number.value
                yearDigits = number.digits
            }
        }
        guard let day, let month, var year, let hour else {
            throw MessageError(.invalidDate, "not a date in RFC 5322 form")
        }
        if yearDigits <= 2 {
            year += year < 50 ? 2000 : 1900  // RFC 5322 §4.3
        } else if yearDigits == 3 {
            year += 1900
        }
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
            (1...MailDate.daysIn(month: month, year: year)).contains(day), (1...9999).contains(year)
        else { throw MessageError(.invalidDate, "a date field is out of range") }
        let zone = offset ?? 0
        guard abs(zone) < 24 * 60 else { throw MessageError(.invalidDate, "a zone offset is out of range") }
        let days = MailDate.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - zone * 60
        self.date = Date(timeIntervalSince1970: TimeInterval(seconds))
        self.utcOffsetMinutes = zone
    }

    /// The form nearly every date has, read byte by byte: `[Day, ]D[D] Mon YYYY HH:MM:SS ±HHMM`,
    /// or with dashes in the date as IMAP's INTERNALDATE writes it (`02-Dec-2026 09:00:00 +0000`,
    /// RFC 9051 §9); nil for anything else (then the general parser reads it). The general
    /// parser builds a lowercased copy and a string per word, which for a listing of thousands
    /// of messages cost more than their delivery. With `internalDate`, only INTERNALDATE's form
    /// (dashes, no day name) is read.
    package init?(canonical text: some StringProtocol, internalDate: Bool = false) {
        guard text.utf8.count <= 48 else { return nil }
        var b = Array(text.utf8.drop { $0 == UInt8(ascii: " ") })
        while b.last == UInt8(ascii: " ") { b.removeLast() }
        var i = 0
        func isDigit(_ at: Int) -> Bool { at < b.count && b[at] >= UInt8(ascii: "0") && b[at] <= UInt8(ascii: "9") }
        func number(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard isDigit(i) else { return nil }
                value = value * 10 + Int(b[i] - UInt8(ascii: "0"))
                i += 1
            }
            return value
        }
        func expect(_ byte: UInt8) -> Bool {
            guard i < b.count, b[i] == byte else { return false }
            i += 1
            return true
        }
        // An optional day name ("Thu, "), which says nothing the date does not.
        if !internalDate, b.count > 5, !isDigit(0), b[3] == UInt8(ascii: ","), b[4] == UInt8(ascii: " ") { i = 5 }
        guard let day = isDigit(i + 1) ? number(2) : number(1), i < b.count else { return nil }
        let separator = b[i]
        guard separator == UInt8(ascii: "-") || (!internalDate && separator == UInt8(ascii: " ")), i + 4 < b.count
        else { return nil }
        let name = String(decoding: b[(i + 1)..<(i + 4)].map { $0 | 0x20 }, as: UTF8.self)
        guard let monthIndex = MailDate.months.firstIndex(of: name) else { return nil }
        i += 4
        guard expect(separator), let year = number(4), expect(UInt8(ascii: " ")),
            let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")),
            let second = number(2), expect(UInt8(ascii: " ")), i < b.count,
            b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")
        else { return nil }
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        i += 1
        guard let hours = number(2), let minutes = number(2), i == b.count else { return nil }
        let month = monthIndex + 1
        let zone = sign * (hours * 60 + minutes)
        guard (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second), (1...9999).contains(year),
            (1...MailDate.daysIn(month: month, year: year)).contains(day), abs(zone) < 24 * 60
        else { return nil }
        let days = MailDate.daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - zone * 60
        self.date = Date(timeIntervalSince1970: TimeInterval(seconds))
        self.utcOffsetMinutes = zone
    }

    static func classify(_ word: Substring, _ month: inout Int?, _ numbers: inout [(value: Int, digits: Int)]) {
        if let value = Int(word) {
            numbers.append((value, word.count))
        } else if month == nil, word.count >= 3, let index = months.firstIndex(where: { word.hasPrefix($0) }) {
            month = index + 1
        }
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic over 400-year cycles).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12  // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of ``daysFromCivil(year:month:day:)``.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The RFC 5322 §3.3 form, e.g. `Thu, 13 Feb 1969 23:32:54 -0330`.
    public var formatted: String {
        // Clamped to years 1...9999 so any Date, even an infinite one, formats without trapping.
        let seconds = date.timeIntervalSince1970
        let clamped = seconds.isFinite ? min(max(seconds, -62_135_596_800), 253_402_300_799) : 0
        let local = Int(clamped.rounded(.down)) + utcOffsetMinutes * 60
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondsOfDay = local - days * 86_400
        let (year, month, day) = MailDate.civil(fromDays: days)
        let weekday = MailDate.dayNames[((days % 7) + 7) % 7]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var yearText = String(year)
        while yearText.count < 4 { yearText = "0" + yearText }
        let sign = utcOffsetMinutes < 0 ? "-" : "+"
        let offset = abs(utcOffsetMinutes)
        return "\(weekday), \(two(day)) \(MailDate.monthNames[month - 1]) \(yearText) "
            + "\(two(secondsOfDay / 3600)):\(two(secondsOfDay / 60 % 60)):\(two(secondsOfDay % 60)) "
            + "\(sign)\(two(offset / 60))\(two(offset % 60))"
    }

    /// Same as ``formatted``.
    public var description: String { formatted }
}

extension MailDate {
    /// The local time zone's offset from UTC at `date`, in minutes, as the C library reads the
    /// `TZ` variable and `/etc/localtime` (summer time included).
    ///
    /// Not `TimeZone.current`: without Foundation's ICU part, FoundationEssentials knows only GMT,
    /// and every message would claim `+0000`.
    static func localOffsetMinutes(at date: Date) -> Int {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff) / 60
    }
}
