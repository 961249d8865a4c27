/// A Unicode normalization form (UAX #15): how ``Swift/String/normalized(_:)`` maps equivalent
/// spellings of the same text to one.
///
/// MailLink needs NFC for internationalized domain names (RFC 5891 §5.2 asks for the NFC form
/// before IDNA processing) and NFKC for SASLprep (RFC 4013 §2.2). Foundation offers these only
/// through ICU, which a process pays for in memory at start-up; this is the standard library
/// alone, from tables of the Unicode version that `normalizationUnicodeVersion` names.
package enum UnicodeNormalizationForm: Sendable, Hashable, CaseIterable {
    /// Canonical decomposition (NFD).
    case nfd
    /// Canonical decomposition, then canonical composition (NFC).
    case nfc
    /// Compatibility decomposition (NFKD).
    case nfkd
    /// Compatibility decomposition, then canonical composition (NFKC).
    case nfkc

    var isCompatibility: Bool { self == .nfkd || self == .nfkc }
    var composes: Bool { self == .nfc || self == .nfkc }
}

extension String {
    /// This text in the given normalization form (UAX #15): decomposed (canonically, or by
    /// compatibility for NFKD and NFKC), combining marks put in canonical order, then, for NFC
    /// and NFKC, canonically composed again, leaving out the composition exclusions.
    ///
    /// ASCII text is returned as it is, without touching the tables. Scalars newer than the
    /// tables' Unicode version pass through unchanged.
    package func normalized(_ form: UnicodeNormalizationForm) -> String {
        if utf8.allSatisfy({ $0 < 0x80 }) { return self }
        let tables = NormalizationTables.shared
        var scalars: [UInt32] = []
        scalars.reserveCapacity(unicodeScalars.count)
        for scalar in unicodeScalars {
            if let hangul = Hangul(decomposing: scalar.value) {
                hangul.append(to: &scalars)
            } else {
                tables.appendDecomposition(of: scalar.value, compatible: form.isCompatibility, to: &scalars)
            }
        }
        Self.putInCanonicalOrder(&scalars, tables)
        if form.composes { Self.compose(&scalars, tables) }
        var result = String.UnicodeScalarView()
        for value in scalars {
            // Every value is a scalar of the input or of a table generated from valid scalars.
            if let scalar = Unicode.Scalar(value) { result.append(scalar) }
        }
        return String(result)
    }

    /// The canonical ordering algorithm (UAX #15 §3.11, "D108"): a stable sort of each run of
    /// non-starters by combining class. Runs are short, so an insertion sort serves.
    private static func putInCanonicalOrder(_ scalars: inout [UInt32], _ tables: NormalizationTables) {
        var index = 1
        while index < scalars.count {
            let combiningClass = tables.combiningClass(scalars[index])
            if combiningClass != 0 {
                var position = index
                while position > 0 {
                    let previous = tables.combiningClass(scalars[position - 1])
                    guard previous > combiningClass else { break }
                    scalars.swapAt(position, position - 1)
                    position -= 1
                }
            }
            index += 1
        }
    }

    /// The canonical composition algorithm (UAX #15 §3.11, "D117"): each character that is not
    /// blocked from the last starter (no character between them of class zero or of a class
    /// not lower than its own) combines with it when they have a primary composite.
    private static func compose(_ scalars: inout [UInt32], _ tables: NormalizationTables) {
        var result: [UInt32] = []
        result.reserveCapacity(scalars.count)
        var starter: Int?
        var lastClass: UInt8 = 0
        for scalar in scalars {
            let combiningClass = tables.combiningClass(scalar)
            if let starter {
                let adjacent = starter == result.count - 1
                if adjacent || (lastClass != 0 && lastClass < combiningClass),
                    let composite = Hangul.compose(result[starter], scalar) ?? tables.composite(result[starter], scalar)
                {
                    result[starter] = composite
                    continue
                }
            }
            if combiningClass == 0 { starter = result.count }
            lastClass = combiningClass
            result.append(scalar)
        }
        scalars = result
    }
}
