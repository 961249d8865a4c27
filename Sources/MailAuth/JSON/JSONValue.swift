#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A JSON value of any shape (RFC 8259), decoded with the standard `JSONDecoder`: for answers
/// read member by member, where some members are optional, typed loosely (numbers sent as
/// strings) or unknown, so a fixed `Decodable` structure would refuse too much.
///
/// Shared by this package's targets (OAuth challenges here, token and metadata answers in
/// MailOAuth); not part of the public interface.
package enum JSONValue: Sendable, Equatable, Codable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object; a repeated member keeps one of its values.
    case object([String: JSONValue])

    /// Parses `bytes` as one JSON text; throws the decoder's error when they are not JSON.
    package init(parsing bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Decodes whichever shape the value has.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// A value built from Swift values as `JSONSerialization` took them: `String`, `Bool`,
    /// `Int`, `Int64`, `Double`, arrays and `[String: Any]` dictionaries of those, and nil
    /// optionals as `null`; nil when something else is inside.
    package init?(converting value: Any) {
        switch value {
        case let text as String: self = .string(text)
        case let flag as Bool: self = .bool(flag)
        case let number as Int: self = .integer(Int64(number))
        case let number as Int64: self = .integer(number)
        case let number as Double: self = .number(number)
        case let values as [Any]:
            var converted: [JSONValue] = []
            for element in values {
                guard let element = JSONValue(converting: element) else { return nil }
                converted.append(element)
            }
            self = .array(converted)
        case let members as [String: Any]:
            var converted: [String: JSONValue] = [:]
            for (name, member) in members {
                guard let member = JSONValue(converting: member) else { return nil }
                converted[name] = member
            }
            self = .object(converted)
        default:
            // An optional inside `Any` is only visible through reflection.
            let mirror = Mirror(reflecting: value)
            guard mirror.displayStyle == .optional else { return nil }
            guard let wrapped = mirror.children.first?.value else {
                self = .null
                return
            }
            guard let unwrapped = JSONValue(converting: wrapped) else { return nil }
            self = unwrapped
        }
    }

    /// This value as one line of JSON text, members in sorted order.
    package var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding these cases cannot fail: every number is finite or becomes null.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// Encodes the value as the JSON it stands for.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): if value.isFinite { try container.encode(value) } else { try container.encodeNil() }
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }

    /// The member `name` of an object; nil for a missing member or when this is not an object.
    package subscript(name: String) -> JSONValue? {
        if case .object(let members) = self { members[name] } else { nil }
    }

    /// A string as it is, or a number as its decimal text (`401` for the number 401); nil for
    /// any other shape.
    package var text: String? {
        switch self {
        case .string(let value): value
        case .integer(let value): String(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        default: nil
        }
    }
}
