/// Punycode (RFC 3492), the ASCII form of internationalised domain labels (IDNA, RFC 5891):
/// `bücher` ⇄ `bcher-kva`. Used by ``EmailAddress`` for the `xn--` form of a domain.
public enum Punycode {
    private static let base = 36
    private static let tMin = 1
    private static let tMax = 26
    private static let skew = 38
    private static let damp = 700
    private static let initialBias = 72
    private static let initialN = 128

    /// Bias adaptation, RFC 3492 §6.1.
    private static func adapt(_ delta: Int, points: Int, first: Bool) -> Int {
        var delta = first ? delta / damp : delta / 2
        delta += delta / points
        var k = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }

    private static func digit(_ value: Int) -> Character {
        let scalar = value < 26 ? 0x61 + value : 0x30 + value - 26
        return Character(Unicode.Scalar(UInt8(scalar)))
    }

    private static func threshold(_ k: Int, bias: Int) -> Int {
        k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
    }

    /// Encodes a label (without the `xn--` prefix), RFC 3492 §6.3. Returns `nil` only on
    /// arithmetic overflow, which a label short enough for DNS cannot reach.
    public static func encode(_ label: some StringProtocol) -> String? {
        let input = label.unicodeScalars.map { Int($0.value) }
        // Output has at least one character per input scalar; DNS labels hold 63, so longer
        // input cannot give a usable label, and refusing it keeps this loop's work bounded.
        guard input.count <= 63 else { return nil }
        var output = ""
        for value in input where value < 0x80 { output.append(Character(Unicode.Scalar(UInt8(value)))) }
        let basicCount = output.unicodeScalars.count
        var handled = basicCount
        if basicCount > 0 { output.append("-") }
        var n = initialN
        var delta = 0
        var bias = initialBias
        while handled < input.count {
            guard let m = input.filter({ $0 >= n }).min() else { return nil }
            let (product, overflow) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow, delta <= Int(Int32.max) - product else { return nil }
            delta += product
            n = m
            for value in input {
                if value < n {
                    delta += 1
                    guard delta <= Int(Int32.max) else { return nil }
                }
                if value == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = threshold(k, bias: bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, points: handled + 1, first: handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    /// Decodes a label (without the `xn--` prefix), RFC 3492 §6.2; `nil` when malformed.
    public static func decode(_ label: some StringProtocol) -> String? {
        let scalars = Array(label.unicodeScalars)
        var output: [Int] = []
        var start = 0
        if let dash = scalars.lastIndex(of: "-") {
            for scalar in scalars[..<dash] {
                guard scalar.value < 0x80 else { return nil }
                output.append(Int(scalar.value))
            }
            start = dash + 1
        }
        var n = initialN
        var i = 0
        var bias = initialBias
        var index = start
        while index < scalars.count {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard index < scalars.count else { return nil }
                let c = scalars[index].value
                index += 1
                let value: Int
                switch c {
                case 0x30...0x39: value = Int(c) - 0x30 + 26
                case 0x41...0x5A: value = Int(c) - 0x41
                case 0x61...0x7A: value = Int(c) - 0x61
                default: return nil
                }
                guard value <= (Int(Int32.max) - i) / w else { return nil }
                i += value * w
                let t = threshold(k, bias: bias)
                if value < t { break }
                guard w <= Int(Int32.max) / (base - t) else { return nil }
                w *= base - t
                k += base
            }
            bias = adapt(i - oldI, points: output.count + 1, first: oldI == 0)
            guard i / (output.count + 1) <= Int(Int32.max) - n else { return nil }
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, !(0xD800...0xDFFF).contains(n) else { return nil }
            output.insert(n, at: i)
            i += 1
        }
        var text = ""
        for value in output {
            guard let scalar = Unicode.Scalar(value) else { return nil }
            text.unicodeScalars.append(scalar)
        }
        return text
    }
}
