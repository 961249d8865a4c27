// The stored forms of routing values: small JSON objects with one readable key each, designed
// rather than synthesized (Swift's synthesized form of an enum with associated values is
// `{"folder":{"_0":[…]}}`, which is neither readable nor stable across renames).
//
//   RoutingDestination  "inbox" | "account-folder" | {"folder": ["Lists", "Swift"]}
//   TextMatch           {"equals": "x"} | {"contains": "x"} | {"prefix": "x"} | {"suffix": "x"}
//   RoutingCondition    "always" | {"account": M} | {"from": M} | {"toOrCc": M} | {"subject": M}
//                       | {"listID": M} | {"header": {"name": "X-Spam", "match": M}}
//                       | {"all": [C…]} | {"any": [C…]} | {"not": C}
//   RoutingRule         {"name": …, "condition": C, "destination": D, "marker": "blue"}   (marker optional)

/// A coding key made from any string.
private struct NamedKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// The one key of a single-key object, for decoding tagged values.
private func singleKey(
    of container: KeyedDecodingContainer<NamedKey>, expected: [String], type: String
) throws -> NamedKey {
    guard container.allKeys.count == 1, let key = container.allKeys.first, expected.contains(key.stringValue) else {
        throw DecodingError.dataCorrupted(.init(
            codingPath: container.codingPath,
            debugDescription: "a \(type) is an object with one of the keys \(expected.joined(separator: ", "))"))
    }
    return key
}

extension RoutingDestination {
    /// Decodes `"inbox"`, `"account-folder"` or `{"folder": [components]}`.
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            switch text {
            case "inbox": self = .inbox
            case "account-folder": self = .accountFolder
            default:
                throw DecodingError.dataCorruptedError(
                    in: single, debugDescription: "a destination is \"inbox\", \"account-folder\" or {\"folder\": […]}")
            }
            return
        }
        let container = try decoder.container(keyedBy: NamedKey.self)
        let key = try singleKey(of: container, expected: ["folder"], type: "destination")
        self = .folder(try container.decode(Folder.self, forKey: key))
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .inbox:
            var container = encoder.singleValueContainer()
            try container.encode("inbox")
        case .accountFolder:
            var container = encoder.singleValueContainer()
            try container.encode("account-folder")
        case .folder(let folder):
            var container = encoder.container(keyedBy: NamedKey.self)
            try container.encode(folder, forKey: NamedKey("folder"))
        }
    }
}

extension TextMatch {
    private static let keys = ["equals", "contains", "prefix", "suffix"]

    /// Decodes `{"equals"|"contains"|"prefix"|"suffix": text}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: NamedKey.self)
        let key = try singleKey(of: container, expected: Self.keys, type: "text match")
        let text = try container.decode(String.self, forKey: key)
        switch key.stringValue {
        case "equals": self = .equals(text)
        case "contains": self = .contains(text)
        case "prefix": self = .hasPrefix(text)
        default: self = .hasSuffix(text)
        }
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: NamedKey.self)
        switch self {
        case .equals(let text): try container.encode(text, forKey: NamedKey("equals"))
        case .contains(let text): try container.encode(text, forKey: NamedKey("contains"))
        case .hasPrefix(let text): try container.encode(text, forKey: NamedKey("prefix"))
        case .hasSuffix(let text): try container.encode(text, forKey: NamedKey("suffix"))
        }
    }
}

extension RoutingCondition {
    private static let keys = ["account", "from", "toOrCc", "subject", "listID", "header", "all", "any", "not"]

    private struct HeaderTest: Codable {
        var name: String
        var match: TextMatch
    }

    /// Decodes the stored form (see the top of this file).
    public init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let text = try? single.decode(String.self) {
            guard text == "always" else {
                throw DecodingError.dataCorruptedError(in: single, debugDescription: "unknown condition \(text)")
            }
            self = .always
            return
        }
        let container = try decoder.container(keyedBy: NamedKey.self)
        let key = try singleKey(of: container, expected: Self.keys, type: "condition")
        switch key.stringValue {
        case "account": self = .account(try container.decode(TextMatch.self, forKey: key))
        case "from": self = .from(try container.decode(TextMatch.self, forKey: key))
        case "toOrCc": self = .toOrCc(try container.decode(TextMatch.self, forKey: key))
        case "subject": self = .subject(try container.decode(TextMatch.self, forKey: key))
        case "listID": self = .listID(try container.decode(TextMatch.self, forKey: key))
        case "header":
            let test = try container.decode(HeaderTest.self, forKey: key)
            self = .header(test.name, test.match)
        case "all": self = .all(try container.decode([RoutingCondition].self, forKey: key))
        case "any": self = .any(try container.decode([RoutingCondition].self, forKey: key))
        default: self = .not(try container.decode(RoutingCondition.self, forKey: key))
        }
    }

    /// Encodes the stored form.
    public func encode(to encoder: any Encoder) throws {
        if case .always = self {
            var container = encoder.singleValueContainer()
            try container.encode("always")
            return
        }
        var container = encoder.container(keyedBy: NamedKey.self)
        switch self {
        case .always: break
        case .account(let match): try container.encode(match, forKey: NamedKey("account"))
        case .from(let match): try container.encode(match, forKey: NamedKey("from"))
        case .toOrCc(let match): try container.encode(match, forKey: NamedKey("toOrCc"))
        case .subject(let match): try container.encode(match, forKey: NamedKey("subject"))
        case .listID(let match): try container.encode(match, forKey: NamedKey("listID"))
        case .header(let name, let match):
            try container.encode(HeaderTest(name: name, match: match), forKey: NamedKey("header"))
        case .all(let conditions): try container.encode(conditions, forKey: NamedKey("all"))
        case .any(let conditions): try container.encode(conditions, forKey: NamedKey("any"))
        case .not(let condition): try container.encode(condition, forKey: NamedKey("not"))
        }
    }
}
