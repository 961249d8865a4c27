/// Hangul syllables, decomposed and composed arithmetically rather than from tables
/// (The Unicode Standard §3.12, "Conjoining Jamo Behavior").
struct Hangul {
    static let syllableBase: UInt32 = 0xAC00
    static let leadingBase: UInt32 = 0x1100
    static let vowelBase: UInt32 = 0x1161
    static let trailingBase: UInt32 = 0x11A7
    static let leadingCount: UInt32 = 19
    static let vowelCount: UInt32 = 21
    static let trailingCount: UInt32 = 28
    static let syllableCount = leadingCount * vowelCount * trailingCount

    let leading: UInt32
    let vowel: UInt32
    let trailing: UInt32?

    /// The jamo of a precomposed syllable, or nil when the scalar is not one.
    init?(decomposing scalar: UInt32) {
        guard scalar >= Self.syllableBase, scalar < Self.syllableBase + Self.syllableCount else { return nil }
        let index = scalar - Self.syllableBase
        leading = Self.leadingBase + index / (Self.vowelCount * Self.trailingCount)
        vowel = Self.vowelBase + (index % (Self.vowelCount * Self.trailingCount)) / Self.trailingCount
        let trailingIndex = index % Self.trailingCount
        trailing = trailingIndex == 0 ? nil : Self.trailingBase + trailingIndex
    }

    func append(to scalars: inout [UInt32]) {
        scalars.append(leading)
        scalars.append(vowel)
        if let trailing { scalars.append(trailing) }
    }

    /// A leading consonant and a vowel make an LV syllable; an LV syllable and a trailing
    /// consonant make an LVT syllable; anything else is nil.
    static func compose(_ first: UInt32, _ second: UInt32) -> UInt32? {
        if first >= leadingBase, first < leadingBase + leadingCount, second >= vowelBase,
            second < vowelBase + vowelCount
        {
            return syllableBase + ((first - leadingBase) * vowelCount + (second - vowelBase)) * trailingCount
        }
        if first >= syllableBase, first < syllableBase + syllableCount, (first - syllableBase) % trailingCount == 0,
            second > trailingBase, second < trailingBase + trailingCount
        {
            return first + (second - trailingBase)
        }
        return nil
    }
}
