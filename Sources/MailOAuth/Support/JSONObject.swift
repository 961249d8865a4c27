import MailAuth
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A JSON object from a server's answer, read field by field with type checks (RFC 8259).
///
/// Why not a fixed `Decodable` structure: every field of an OAuth answer is optional in some
/// profile, numbers arrive as strings from some servers, and a wrong type must become a typed
/// error naming the field (never the value, which may be a token).
struct JSONObject {
    private let fields: [String: JSONValue]

    /// Parses `bytes` as one JSON object; anything else is ``OAuthError/Code/invalidResponse``.
    init(_ bytes: [UInt8], what: String) throws(OAuthError) {
        let parsed: JSONValue
        do {
            parsed = try JSONValue(parsing: bytes)
        } catch {
            throw OAuthError(.invalidResponse, "\(what) is not JSON")
        }
        guard case .object(let object) = parsed else {
            throw OAuthError(.invalidResponse, "\(what) is not a JSON object")
        }
        fields = object
    }

    /// Whether the field is present (and not `null`).
    func has(_ name: String) -> Bool { fields[name] != nil && fields[name] != .null }

    /// A string field; a present field of another type is an error.
    func string(_ name: String, in what: String) throws(OAuthError) -> String? {
        guard has(name) else { return nil }
        guard case .string(let value) = fields[name] else {
            throw OAuthError(.invalidResponse, "\(what): \(name) is not a string")
        }
        return value
    }

    /// A required, non-empty string field.
    func requiredString(_ name: String, in what: String) throws(OAuthError) -> String {
        guard let value = try string(name, in: what), !value.isEmpty else {
            throw OAuthError(.invalidResponse, "\(what) has no \(name)")
        }
        return value
    }

    /// A non-negative whole number of seconds; also accepted as a decimal string, which some
    /// servers send.
    func seconds(_ name: String, in what: String) throws(OAuthError) -> Int? {
        switch fields[name] {
        case nil, .null?: return nil
        case .string(let text)?: if let value = Int(text), value >= 0 { return value }
        case .integer(let value)?: if value >= 0, value < 1_000_000_000 { return Int(value) }
        case .number(let value)?: if value >= 0, value < 1e9 { return Int(value) }
        default: break
        }
        throw OAuthError(.invalidResponse, "\(what): \(name) is not a number of seconds")
    }

    /// A boolean field.
    func bool(_ name: String) -> Bool? {
        if case .bool(let value)? = fields[name] { value } else { nil }
    }

    /// An array of strings; a present field of another shape is an error.
    func strings(_ name: String, in what: String) throws(OAuthError) -> [String]? {
        guard has(name) else { return nil }
        guard case .array(let values)? = fields[name] else {
            throw OAuthError(.invalidResponse, "\(what): \(name) is not an array")
        }
        return values.compactMap { if case .string(let value) = $0 { value } else { nil } }
    }
}

/// base64url without padding (RFC 4648 §5), as PKCE (RFC 7636 §3) and `state` values use it.
enum Base64URL {
    /// The encoding of `bytes`.
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacing("+", with: "-").replacing("/", with: "_").replacing("=", with: "")
    }
}
