/// Comparison whose running time does not depend on where two secrets first differ.
///
/// Used wherever a received value is checked against an expected secret-derived value (the SCRAM
/// server signature here, client proofs in MailTesting's fake servers), so that timing reveals
/// nothing about how many leading bytes were right.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes. Lengths are not secret: different lengths
    /// return `false` at once; equal lengths are compared in full.
    public static func equals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
