/// The Unicode character data normalization needs, decoded once from the generated records of
/// `NormalizationData.swift` at first use (a string literal compiles fast; a large array literal
/// does not).
///
/// Decompositions are stored fully expanded (recursively, UAX #15 §1.3), each as a slice of one
/// flat scalar buffer, so decomposing a scalar is one dictionary look-up.
struct NormalizationTables: Sendable {
    /// The tables, decoded on first use (Swift initializes a global lazily and exactly once).
    static let shared = NormalizationTables()

    /// Canonical combining class of every scalar whose class is not zero.
    private var combiningClasses: [UInt32: UInt8] = [:]
    /// Full canonical decomposition: scalar to (offset << 8 | count) in `expansions`.
    private var canonical: [UInt32: UInt32] = [:]
    /// Full compatibility decomposition, for the scalars whose compatibility and canonical
    /// decompositions differ: scalar to (offset << 8 | count) in `expansions`.
    private var compatibility: [UInt32: UInt32] = [:]
    /// Primary composites: (first << 32 | second) to the composite (UAX #15 §3.10 "D114").
    private var composites: [UInt64: UInt32] = [:]
    /// The decomposed scalars, every mapping one after the other.
    private var expansions: [UInt32] = []

    private init() {
        var previousEnd: UInt32 = 0
        for record in Self.records(combiningClassRecords) {
            let fields = record.split(separator: UInt8(ascii: ","))
            let start = previousEnd + Self.hex(fields[0])
            let count = Self.hex(fields[1])
            let value = UInt8(Self.hex(fields[2]))
            for scalar in start..<(start + count) { combiningClasses[scalar] = value }
            previousEnd = start + count
        }

        var canonicalOneLevel: [UInt32: [UInt32]] = [:]
        var scalar: UInt32 = 0
        for record in Self.records(canonicalRecords) {
            guard let separator = record.firstIndex(where: { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "-") })
            else { continue }
            scalar += Self.hex(record[..<separator])
            let mapping = record[(separator + 1)...].split(separator: UInt8(ascii: ".")).map(Self.hex)
            canonicalOneLevel[scalar] = mapping
            if record[separator] == UInt8(ascii: "="), mapping.count == 2 {
                composites[UInt64(mapping[0]) << 32 | UInt64(mapping[1])] = scalar
            }
        }
        var compatibilityOneLevel: [UInt32: [UInt32]] = [:]
        scalar = 0
        for record in Self.records(compatibilityRecords) {
            guard let separator = record.firstIndex(of: UInt8(ascii: "=")) else { continue }
            scalar += Self.hex(record[..<separator])
            compatibilityOneLevel[scalar] = record[(separator + 1)...].split(separator: UInt8(ascii: ".")).map(Self.hex)
        }

        func expand(_ scalar: UInt32, compatible: Bool, into result: inout [UInt32]) {
            if compatible, let mapping = compatibilityOneLevel[scalar] {
                for next in mapping { expand(next, compatible: true, into: &result) }
            } else if let mapping = canonicalOneLevel[scalar] {
                for next in mapping { expand(next, compatible: compatible, into: &result) }
            } else {
                result.append(scalar)
            }
        }
        var full: [UInt32] = []
        for scalar in canonicalOneLevel.keys {
            full.removeAll(keepingCapacity: true)
            expand(scalar, compatible: false, into: &full)
            canonical[scalar] = store(full)
        }
        var canonicalFull: [UInt32] = []
        for scalar in Set(canonicalOneLevel.keys).union(compatibilityOneLevel.keys) {
            full.removeAll(keepingCapacity: true)
            expand(scalar, compatible: true, into: &full)
            canonicalFull.removeAll(keepingCapacity: true)
            expand(scalar, compatible: false, into: &canonicalFull)
            if full != canonicalFull { compatibility[scalar] = store(full) }
        }
    }

    /// The canonical combining class of a scalar (0 for a starter).
    func combiningClass(_ scalar: UInt32) -> UInt8 {
        scalar < 0x300 ? 0 : combiningClasses[scalar] ?? 0
    }

    /// Appends the full decomposition of a scalar (canonical, or compatibility when `compatible`),
    /// or the scalar itself when it has none. Hangul syllables are decomposed by the caller.
    func appendDecomposition(of scalar: UInt32, compatible: Bool, to result: inout [UInt32]) {
        let entry = (compatible ? compatibility[scalar] : nil) ?? canonical[scalar]
        guard let entry else {
            result.append(scalar)
            return
        }
        let offset = Int(entry >> 8)
        result.append(contentsOf: expansions[offset..<(offset + Int(entry & 0xFF))])
    }

    /// The primary composite of two scalars, if there is one (Hangul aside).
    func composite(_ first: UInt32, _ second: UInt32) -> UInt32? {
        composites[UInt64(first) << 32 | UInt64(second)]
    }

    private mutating func store(_ mapping: [UInt32]) -> UInt32 {
        let offset = UInt32(expansions.count)
        expansions.append(contentsOf: mapping)
        return offset << 8 | UInt32(mapping.count)
    }

    /// The records of one table: its whitespace-separated words, as UTF-8 slices.
    private static func records(_ text: String) -> [ArraySlice<UInt8>] {
        Array(text.utf8).split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\n") })
    }

    /// A hexadecimal number written by the generator (its digits are 0-9 and a-f only).
    private static func hex(_ digits: ArraySlice<UInt8>) -> UInt32 {
        digits.reduce(0) { value, digit in
            value << 4 | UInt32(digit <= UInt8(ascii: "9") ? digit - UInt8(ascii: "0") : digit - UInt8(ascii: "a") + 10)
        }
    }
}
