/// The coloured marker (Hotmail's diamond) that shows which linked account a message came from.
///
/// A fixed palette with names, so that host applications, the `linkmail` CLI
/// (`--marker blue`) and stored messages agree, plus any custom RGB colour.
/// The text form is the palette name or `#RRGGBB`; it is what stores keep.
public enum MarkerColor: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The named palette colours; ``rgb`` gives their channels.
    case red, orange, yellow, green, teal, blue, purple, pink, brown, gray
    /// A colour outside the palette, 8 bits per channel.
    case custom(red: UInt8, green: UInt8, blue: UInt8)

    /// Every named colour, in the order a picker shows them.
    public static let palette: [MarkerColor] = [
        .red, .orange, .yellow, .green, .teal, .blue, .purple, .pink, .brown, .gray,
    ]

    /// The palette name (`"blue"`), `nil` for a custom colour.
    public var name: String? {
        switch self {
        case .red: "red"
        case .orange: "orange"
        case .yellow: "yellow"
        case .green: "green"
        case .teal: "teal"
        case .blue: "blue"
        case .purple: "purple"
        case .pink: "pink"
        case .brown: "brown"
        case .gray: "gray"
        case .custom: nil
        }
    }

    /// The colour's channels, for drawing the marker.
    public var rgb: (red: UInt8, green: UInt8, blue: UInt8) {
        switch self {
        case .red: (0xD1, 0x34, 0x38)
        case .orange: (0xF7, 0x63, 0x0C)
        case .yellow: (0xFF, 0xB9, 0x00)
        case .green: (0x10, 0x7C, 0x10)
        case .teal: (0x00, 0x8B, 0x8B)
        case .blue: (0x00, 0x78, 0xD4)
        case .purple: (0x88, 0x17, 0x98)
        case .pink: (0xE3, 0x00, 0x8C)
        case .brown: (0x8E, 0x56, 0x2E)
        case .gray: (0x7A, 0x75, 0x74)
        case .custom(let red, let green, let blue): (red, green, blue)
        }
    }

    /// The IMAP keyword (RFC 9051 §2.3.2 `flag-keyword`) that carries the marker to other mail
    /// programs, written into Maildir file names through Dovecot's `dovecot-keywords` file.
    ///
    /// Thunderbird shows the keywords `$label1` to `$label5` as its five default coloured tags
    /// (Important red, Work orange, Personal green, To Do blue, Later purple), so those colours use
    /// them; the other palette colours are `maillink-<name>` and a custom colour is
    /// `maillink-RRGGBB`, which a client lists as tags of that name.
    public var imapKeyword: String {
        switch self {
        case .red: "$label1"
        case .orange: "$label2"
        case .green: "$label3"
        case .blue: "$label4"
        case .purple: "$label5"
        case .custom: "maillink-" + description.dropFirst()
        default: "maillink-" + description
        }
    }

    /// The text form: the palette name, or `#RRGGBB` for a custom colour.
    public var description: String {
        if let name { return name }
        let (red, green, blue) = rgb
        return "#"
            + [red, green, blue].map { byte in
                let hex = String(byte, radix: 16, uppercase: true)
                return hex.count == 1 ? "0" + hex : hex
            }.joined()
    }

    /// Parses a palette name (any case; `grey` is accepted) or `#RRGGBB`; `nil` for anything else.
    public init?(_ text: String) {
        let lowered = text.lowercased()
        if lowered == "grey" {
            self = .gray
            return
        }
        if let named = MarkerColor.palette.first(where: { $0.name == lowered }) {
            self = named
            return
        }
        let digits = Array(lowered.utf8)
        guard digits.count == 7, digits[0] == UInt8(ascii: "#") else { return nil }
        var channels = [UInt8]()
        for start in stride(from: 1, to: 7, by: 2) {
            guard let value = UInt8(String(decoding: digits[start..<start + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            channels.append(value)
        }
        self = .custom(red: channels[0], green: channels[1], blue: channels[2])
    }

    /// Decodes the text form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let color = MarkerColor(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a marker colour: \(text)")
        }
        self = color
    }

    /// Encodes the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
