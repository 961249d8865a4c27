internal import UnicodeNormalization

/// The practical subset of SASLprep (RFC 4013) that SCRAM applies to user names and passwords
/// (RFC 5802 §5.1), so that a password typed on different keyboards hashes the same way.
///
/// What is implemented:
/// - ASCII strings pass unchanged (the overwhelming majority), except that ASCII control
///   characters are refused (RFC 4013 §2.3, RFC 3454 C.2.1).
/// - Non-ASCII space characters become U+0020 (RFC 3454 C.1.2) and the characters "commonly
///   mapped to nothing" are removed (RFC 3454 B.1).
/// - Normalization form KC (RFC 4013 §2.2), from this package's own Unicode tables (UAX #15),
///   so that signing in does not load ICU.
/// - Prohibited output is refused: controls, private use, non-characters, surrogates,
///   inappropriate-for-plain-text/canonical-representation, change-display and tagging
///   characters (RFC 3454 C.2–C.9).
///
/// Not implemented: the bidirectional-text check (RFC 3454 §6) and the unassigned-code-point
/// check, which need Unicode tables the standard library does not expose. Both only matter for
/// passwords mixing right-to-left scripts or using code points newer than Unicode 3.2; such
/// strings are passed through after the steps above.
public enum SASLprep {
    /// Prepares `string` as a "stored string" for SCRAM.
    ///
    /// - Throws: `MailAuthError` with `.invalidCredentialCharacters` for prohibited output.
    public static func prepare(_ string: String) throws(MailAuthError) -> String {
        if string.utf8.allSatisfy({ $0 < 0x80 }) {
            guard string.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7f }) else { throw prohibited }
            return string
        }
        var mapped = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            if isMappedToNothing(scalar.value) { continue }
            mapped.append(isNonASCIISpace(scalar.value) ? " " : scalar)
        }
        let normalized = String(mapped).normalized(.nfkc)
        guard !normalized.unicodeScalars.contains(where: { isProhibited($0.value) }) else { throw prohibited }
        return normalized
    }

    private static var prohibited: MailAuthError {
        MailAuthError(
            .invalidCredentialCharacters, detail: "the user name or password contains characters SASLprep prohibits")
    }

    /// RFC 3454 table C.1.2.
    private static func isNonASCIISpace(_ value: UInt32) -> Bool {
        value == 0x00a0 || value == 0x1680 || (0x2000...0x200a).contains(value) || value == 0x202f
            || value == 0x205f || value == 0x3000
    }

    /// RFC 3454 table B.1.
    private static func isMappedToNothing(_ value: UInt32) -> Bool {
        switch value {
        case 0x00ad, 0x034f, 0x1806, 0x180b...0x180d, 0x200b...0x200d, 0x2060, 0xfe00...0xfe0f, 0xfeff: true
        default: false
        }
    }

    /// RFC 3454 tables C.1.2 (after mapping none remain), C.2.1–C.9.
    private static func isProhibited(_ value: UInt32) -> Bool {
        switch value {
        case 0x0000...0x001f, 0x007f: true  // C.2.1 ASCII control
        case 0x0080...0x009f, 0x06dd, 0x070f, 0x180e, 0x200c, 0x200d, 0x2028, 0x2029, 0x2060...0x2063,
            0x206a...0x206f, 0xfeff, 0xfff9...0xfffc, 0x1d173...0x1d17a:
            true  // C.2.2 non-ASCII control
        case 0xe000...0xf8ff, 0xf0000...0xffffd, 0x100000...0x10fffd: true  // C.3 private use
        case 0xfdd0...0xfdef: true  // C.4 non-character
        case 0xd800...0xdfff: true  // C.5 surrogates
        case 0xfff9...0xfffd: true  // C.6 inappropriate for plain text
        case 0x2ff0...0x2ffb: true  // C.7 inappropriate for canonical representation
        case 0x0340, 0x0341, 0x200e, 0x200f, 0x202a...0x202e: true  // C.8 change display properties
        case 0xe0001, 0xe0020...0xe007f: true  // C.9 tagging
        default: value & 0xfffe == 0xfffe  // C.4: U+nFFFE and U+nFFFF in every plane
        }
    }
}
