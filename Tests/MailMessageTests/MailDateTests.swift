import Foundation
import Testing

@testable import MailMessage

@Suite("MailDate parsing and formatting")
struct MailDateTests {
    /// 1969-02-13 23:32:54 -0330 is 1969-02-14 03:02:54 UTC.
    static let rfcExample: TimeInterval = -27_723_426

    @Test("parses the RFC 5322 example and formats it back")
    func rfcExample() throws {
        let date = try MailDate(parsing: "Thu, 13 Feb 1969 23:32:54 -0330")
        #expect(date.date.timeIntervalSince1970 == MailDateTests.rfcExample)
        #expect(date.utcOffsetMinutes == -210)
        #expect(date.formatted == "Thu, 13 Feb 1969 23:32:54 -0330")
    }

    @Test("parses obsolete and broken forms", arguments: [
        ("13 Feb 69 23:32:54 -0330", -27_723_426.0),
        ("Thu, 13 Feb 1969 23:32 -0330", -27_723_480.0),
        ("Fri, 14 Feb 1969 03:02:54 GMT", -27_723_426.0),
        ("Thu, 13 Feb 1969 22:02:54 EST", -27_723_426.0),
        ("Fri, 14 Feb 1969 03:02:54 +0000 (UTC)", -27_723_426.0),
        ("Fri,14 Feb 1969 03:02:54", -27_723_426.0),
        ("fri, 14 february 1969 03:02:54 z", -27_723_426.0),
        ("Fri Feb 14 03:02:54 1969", -27_723_426.0),
        ("14-Feb-1969 03:02:54 +0000", -27_723_426.0),
        ("Fri, 14 Feb 1969 03:02:54 A", -27_723_426.0),
        ("Fri, 14 Feb 1969 06:02:54 +03:00", -27_723_426.0),
        ("Sat, 1 Jan 2000 00:00:00 +0000", 946_684_800.0),
        ("1 Jan 00 00:00:00 +0000", 946_684_800.0),
        ("1 Jan 100 00:00:00 +0000", 946_684_800.0),
    ])
    func obsolete(_ pair: (String, Double)) throws {
        #expect(try MailDate(parsing: pair.0).date.timeIntervalSince1970 == pair.1)
    }

    @Test("refuses text that is not a date", arguments: [
        "", "yesterday", "32 Jan 2020 10:00:00 +0000", "29 Feb 2023 10:00:00 +0000", "1 Jan 2020 25:00:00 +0000",
        "1 Foo 2020 10:00:00",
    ])
    func invalid(_ text: String) {
        #expect(throws: MessageError.self) { try MailDate(parsing: text) }
    }

    @Test("formats any instant without trapping")
    func extremes() {
        #expect(MailDate(date: Date(timeIntervalSince1970: .infinity)).formatted == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailDate(date: Date(timeIntervalSince1970: 1e15)).formatted.hasSuffix("9999 23:59:59 +0000"))
        #expect(MailDate(date: .distantFuture).formatted == "Mon, 01 Jan 4001 00:00:00 +0000")
    }

    @Test("formats with a positive offset and round-trips across years")
    func formatting() throws {
        let date = MailDate(date: Date(timeIntervalSince1970: 1_709_251_199), utcOffsetMinutes: 180)
        #expect(date.formatted == "Fri, 01 Mar 2024 02:59:59 +0300")
        for seconds in stride(from: -2_000_000_000.0, to: 4_000_000_000.0, by: 86_399 * 37) {
            let original = MailDate(date: Date(timeIntervalSince1970: seconds), utcOffsetMinutes: -330)
            let parsed = try MailDate(parsing: original.formatted)
            #expect(parsed == original)
        }
    }

    /// Dates the byte-by-byte reader takes, and near misses it must leave to the general parser.
    static let canonicalCases = [
        "Thu, 13 Feb 1969 23:32:54 -0330", "13 Feb 1969 23:32:54 -0330", " 1 Dec 2026 09:00:00 +0000 ",
        "Wed, 29 Feb 2028 00:00:60 +1359", "02-Dec-2026 09:00:00 +0000", " 1-DEC-2026 09:00:00 -0700",
        "31 Dec 9999 23:59:59 -2359", "1 Jan 0001 00:00:00 +0000",
        // Left to the general parser (or refused by both):
        "Thu, 13 Feb 69 23:32:54 -0330", "13 Feb 1969 23:32 -0330", "13 Feb 1969 23:32:54 GMT",
        "13 Feb 1969 23:32:54 -0330 (NST)", "13 February 1969 23:32:54 -0330", "13-Feb 1969 23:32:54 -0330",
        "29 Feb 2027 00:00:00 +0000", "13 Feb 1969 24:00:00 +0000", "13 Feb 1969 23:61:00 +0000",
        "13 Feb 1969 23:32:54 +2400", "Thu 13 Feb 1969 23:32:54 -0330", "13 Feb 1969  23:32:54 -0330",
        "13 Fex 1969 23:32:54 -0330", "131 Feb 1969 23:32:54 -0330", "", "-", "Thu, ",
    ]

    @Test("the byte-by-byte reader agrees with the general parser wherever it answers")
    func canonicalAgrees() throws {
        var read = 0
        for text in Self.canonicalCases {
            guard let fast = MailDate(canonical: text) else { continue }
            read += 1
            let general = try MailDate(generalParsing: text)
            #expect(fast == general, "\(text)")
        }
        #expect(read == 8)
        #expect(MailDate(canonical: "Thu, 13 Feb 1969 23:32:54 -0330")?.date.timeIntervalSince1970 == Self.rfcExample)
        #expect(MailDate(canonical: "13 Feb 1969 23:32:54 -0330 (NST)") == nil)
        #expect(try MailDate(parsing: "13 Feb 1969 23:32:54 -0330 (NST)").date.timeIntervalSince1970 == Self.rfcExample)
    }

    @Test("INTERNALDATE's form only: dashes and no day name")
    func canonicalInternalDate() {
        #expect(MailDate(canonical: "02-Dec-2026 09:00:00 +0000", internalDate: true)?.date.timeIntervalSince1970 == 1_796_202_000)
        #expect(MailDate(canonical: " 1-Dec-2026 09:00:00 -0700", internalDate: true)?.date.timeIntervalSince1970 == 1_796_140_800)
        for text in ["02 Dec 2026 09:00:00 +0000", "Wed, 02-Dec-2026 09:00:00 +0000"] {
            #expect(MailDate(canonical: text, internalDate: true) == nil, "\(text)")
        }
    }
}
