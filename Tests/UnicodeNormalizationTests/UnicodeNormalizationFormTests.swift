import Foundation
import Testing

@testable import UnicodeNormalization

/// Checks the normalization forms against Foundation's (ICU's), scalar by scalar and over
/// strings where ordering, blocking and composition exclusions matter.
@Suite("Unicode normalization")
struct UnicodeNormalizationFormTests {
    /// Every scalar the standard library says was assigned by the tables' Unicode version.
    static let assignedScalars: [Unicode.Scalar] = (0...0x10FFFF).compactMap { value -> Unicode.Scalar? in
        guard let scalar = Unicode.Scalar(value), let age = scalar.properties.age else { return nil }
        let tables = normalizationUnicodeVersion
        return (age.major, age.minor) <= (tables.major, tables.minor) ? scalar : nil
    }

    static func foundation(_ text: String, _ form: UnicodeNormalizationForm) -> String {
        switch form {
        case .nfd: text.decomposedStringWithCanonicalMapping
        case .nfc: text.precomposedStringWithCanonicalMapping
        case .nfkd: text.decomposedStringWithCompatibilityMapping
        case .nfkc: text.precomposedStringWithCompatibilityMapping
        }
    }

    /// Describes a string by its scalars, since the characters themselves may not print.
    static func scalars(_ text: String) -> String {
        text.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
    }

    @Test("every scalar assigned by the tables' Unicode version normalizes as Foundation does", arguments: UnicodeNormalizationForm.allCases)
    func everyAssignedScalar(form: UnicodeNormalizationForm) {
        #expect(Self.assignedScalars.count > 140_000)
        var differences: [String] = []
        for scalar in Self.assignedScalars {
            let text = String(scalar)
            let ours = text.normalized(form)
            let theirs = Self.foundation(text, form)
            if ours.unicodeScalars.elementsEqual(theirs.unicodeScalars) == false {
                differences.append("\(Self.scalars(text)): \(Self.scalars(ours)) vs \(Self.scalars(theirs))")
            }
        }
        #expect(differences.isEmpty, "\(differences.prefix(20))")
    }

    /// The scalars Foundation's ICU (newer than the tables) normalizes and the tables do not know:
    /// the Cyrillic modifier letters U+1E030–U+1E06D, added in Unicode 15.0 with `<super>` and
    /// `<sub>` compatibility decompositions, so they differ under NFKD and NFKC only.
    static let knownNewerExceptions = Set(UInt32(0x1E030)...0x1E06D)

    @Test("a scalar newer than the tables passes through unchanged; Foundation differs only on the named exceptions")
    func newerScalarsPassThrough() {
        let tables = normalizationUnicodeVersion
        var differing: Set<UInt32> = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value), let age = scalar.properties.age,
                (age.major, age.minor) > (tables.major, tables.minor)
            else { continue }
            let text = String(scalar)
            for form in UnicodeNormalizationForm.allCases {
                #expect(text.normalized(form).unicodeScalars.elementsEqual(text.unicodeScalars))
                if !Self.foundation(text, form).unicodeScalars.elementsEqual(text.unicodeScalars) {
                    #expect(form == .nfkd || form == .nfkc, "\(form) U+\(String(value, radix: 16, uppercase: true))")
                    differing.insert(value)
                }
            }
        }
        let unexpected = differing.subtracting(Self.knownNewerExceptions).sorted()
        #expect(unexpected.isEmpty, "newer scalars Foundation normalizes: \(unexpected.map { String($0, radix: 16) })")
    }

    @Test(
        "strings that exercise canonical ordering, blocking, exclusions and Hangul normalize as Foundation does",
        arguments: [
            "e\u{301}\u{327}", "\u{1E0A}\u{323}", "\u{1E0B}\u{323}\u{307}", "a\u{301}\u{301}", "A\u{328}\u{301}",
            "\u{17F}\u{323}\u{307}", "\u{FB01}", "\u{958}", "\u{F900}", "\u{344}", "\u{1100}\u{1161}\u{11A8}",
            "\u{AC00}\u{11A8}", "\u{AC01}\u{11A8}", "\u{1100}\u{AC00}", "\u{1161}\u{11A8}", "ｶﾞ", "①Ⅻ㎏",
            "Å\u{30A}", "\u{212B}", "o\u{308}\u{304}", "u\u{31B}\u{323}", "u\u{323}\u{31B}", "\u{5D0}\u{5B7}\u{5BC}",
            "\u{61}\u{5AE}\u{300}\u{5B}", "\u{D4DB}\u{11A8}", "\u{1E9B}\u{323}", "\u{3D3}", "\u{2126}", "İstanbul",
            "Ǆ", "ﷺ", "\u{FDFA}x", "\u{301}a", "a\u{200D}\u{301}", "\u{E0100}", "Straße.example",
            "\u{FF76}\u{FF9E}", "\u{1D16E}\u{F73}\u{327}",
        ])
    func tricky(text: String) {
        for form in UnicodeNormalizationForm.allCases {
            let expected = Self.foundationDefects[Defect(text: text, form: form)] ?? Self.foundation(text, form)
            #expect(Self.scalars(text.normalized(form)) == Self.scalars(expected), "\(form)")
        }
    }

    struct Defect: Hashable {
        var text: String
        var form: UnicodeNormalizationForm
    }

    /// Where Foundation's normalization (on Linux, swift-foundation's) departs from UAX #15, with
    /// the result UAX #15 gives, as Python's `unicodedata` computes it too:
    /// - a precomposed LV syllable and a trailing jamo are left apart by NFC and NFKC
    ///   (The Unicode Standard §3.12 composes them to the LVT syllable);
    /// - a scalar of class 0 whose decomposition begins with non-starters (U+0F73, U+0F75,
    ///   U+0F81; U+FF9E, U+FF9F under compatibility) is treated as a starter: marks are neither
    ///   reordered across it nor composed after it.
    static let foundationDefects: [Defect: String] = [
        Defect(text: "\u{AC00}\u{11A8}", form: .nfc): "\u{AC01}",
        Defect(text: "\u{AC00}\u{11A8}", form: .nfkc): "\u{AC01}",
        Defect(text: "\u{FF76}\u{FF9E}", form: .nfkc): "\u{30AC}",
        Defect(text: "\u{1D16E}\u{F73}\u{327}", form: .nfd): "\u{F71}\u{F72}\u{327}\u{1D16E}",
        Defect(text: "\u{1D16E}\u{F73}\u{327}", form: .nfc): "\u{F71}\u{F72}\u{327}\u{1D16E}",
        Defect(text: "\u{1D16E}\u{F73}\u{327}", form: .nfkd): "\u{F71}\u{F72}\u{327}\u{1D16E}",
        Defect(text: "\u{1D16E}\u{F73}\u{327}", form: .nfkc): "\u{F71}\u{F72}\u{327}\u{1D16E}",
    ]

    /// Whether a string holds what the defects above are about, so Foundation cannot be the oracle.
    static func touchesFoundationDefect(_ text: String) -> Bool {
        let values = Set(text.unicodeScalars.map(\.value))
        let starterWithMarks: Set<UInt32> = [0xF73, 0xF75, 0xF81, 0xFF9E, 0xFF9F]
        let lvSyllable = values.contains { $0 >= 0xAC00 && $0 <= 0xD7A3 && ($0 - 0xAC00) % 28 == 0 }
        return !values.isDisjoint(with: starterWithMarks) || (lvSyllable && values.contains { (0x11A8...0x11C2).contains($0) })
    }

    /// Whether no two adjacent marks are out of canonical order (UAX #15 §1.3).
    static func isCanonicallyOrdered(_ text: String) -> Bool {
        let classes = text.unicodeScalars.map(\.properties.canonicalCombiningClass.rawValue)
        return zip(classes, classes.dropFirst()).allSatisfy { $1 == 0 || $0 <= $1 }
    }

    /// The outputs of this mix were also checked once against Python's `unicodedata` (Unicode
    /// 14.0), all 3,000 strings in all four forms, including those Foundation gets wrong.
    @Test("random mixes of starters, marks, jamo and compatibility characters normalize as Foundation does")
    func randomMixes() {
        let pool: [UInt32] = [
            0x41, 0x61, 0x65, 0x6F, 0x75, 0xC5, 0xE9, 0x300, 0x301, 0x302, 0x308, 0x30A, 0x323, 0x327, 0x328,
            0x31B, 0x344, 0x345, 0x3B1, 0x3B9, 0x5B7, 0x5BC, 0x1100, 0x1161, 0x11A8, 0xAC00, 0xAC01, 0x1E0A,
            0x1FB3, 0x2126, 0x212B, 0x3099, 0x309A, 0x304B, 0xFF76, 0xFF9E, 0xFB01, 0x2460, 0x1D15E, 0x1D165,
            0x1D16E, 0x0F73, 0x0F71, 0x0F72, 0x0FB2, 0x0F80, 0x0CC6, 0x0CC2, 0x0CD5, 0x09C7, 0x09BE, 0x09D7,
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var compared = 0
        for _ in 0..<3_000 {
            var text = String.UnicodeScalarView()
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for _ in 0..<(1 + Int(state >> 60)) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                text.append(Unicode.Scalar(pool[Int(state >> 33) % pool.count])!)
            }
            let string = String(text)
            let byFoundation = !Self.touchesFoundationDefect(string)
            if byFoundation { compared += 1 }
            for form in UnicodeNormalizationForm.allCases {
                let ours = string.normalized(form)
                if byFoundation {
                    #expect(
                        Self.scalars(ours) == Self.scalars(Self.foundation(string, form)),
                        "\(form) \(Self.scalars(string))")
                } else {
                    // No oracle here: the result must at least be ordered and a fixed point.
                    #expect(Self.isCanonicallyOrdered(ours), "\(form) \(Self.scalars(string))")
                    #expect(Self.scalars(ours.normalized(form)) == Self.scalars(ours), "\(form) \(Self.scalars(string))")
                }
            }
        }
        #expect(compared > 1_000)
    }

    @Test("ASCII text comes back as it is, in every form")
    func asciiFastPath() {
        for form in UnicodeNormalizationForm.allCases {
            #expect("user@example.com ~!".normalized(form) == "user@example.com ~!")
        }
    }

    @Test("NFKC maps compatibility characters that NFC keeps")
    func compatibilityOnlyInNFKC() {
        #expect("\u{FB01}".normalized(.nfc) == "\u{FB01}")
        #expect("\u{FB01}".normalized(.nfkc) == "fi")
        #expect("\u{2168}".normalized(.nfkc) == "IX")
        #expect("e\u{301}".normalized(.nfc).unicodeScalars.map(\.value) == [0xE9])
    }
}
