import AccountLinking
import MailTransport

/// Markup that is safe by construction: the literal parts of a template are trusted, everything
/// interpolated into it is escaped, unless it is ``HTML`` itself.
///
/// ```swift
/// let subject = "<script>alert(1)</script>"
/// let row: HTML = "<td title=\"\(subject)\">\(subject)</td>"
/// // <td title="&lt;script&gt;alert(1)&lt;/script&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</td>
/// ```
///
/// Escaping `&`, `<`, `>`, `"` and `'` makes text safe in element content and in quoted attribute
/// values (HTML Living Standard §13.1.2.3, §13.1.4); URLs built from data go through ``url(_:_:)``.
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    public private(set) var rendered: String

    /// Trusted markup from a literal.
    public init(stringLiteral value: String) { rendered = value }

    /// Markup from a template: literals as written, values escaped.
    public init(stringInterpolation: Interpolation) { rendered = stringInterpolation.output }

    /// Markup that was escaped or built elsewhere; never give it text from outside.
    init(trusted rendered: String) { self.rendered = rendered }

    /// The markup.
    public var description: String { rendered }

    /// Pieces joined.
    public static func joined(_ parts: [HTML], separator: HTML = "") -> HTML {
        HTML(trusted: parts.map(\.rendered).joined(separator: separator.rendered))
    }

    /// Text made safe for element content and quoted attribute values (AccountLinking's escaping,
    /// the one its confirmation e-mail uses).
    public static func escape(_ text: String) -> String { ConfirmationMessage.escape(text) }

    /// A path on this server with a query, percent-encoded (WHATWG URL's form encoding), ready for
    /// an `href` or `action` (interpolate the result into a template: it is escaped once more).
    public static func url(_ path: String, _ query: [(name: String, value: String)] = []) -> String {
        precondition(path.hasPrefix("/") && !path.hasPrefix("//"), "only paths on this server")
        return query.isEmpty ? path : path + "?" + HTTPForm.encode(query)
    }

    /// The template interpolation: `String` and other values are escaped; `HTML` is kept.
    public struct Interpolation: StringInterpolationProtocol {
        var output = ""

        /// Space for a template.
        public init(literalCapacity: Int, interpolationCount: Int) {
            output.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        /// A literal part: trusted.
        public mutating func appendLiteral(_ literal: String) { output += literal }

        /// Text: escaped.
        public mutating func appendInterpolation(_ text: String) { output += HTML.escape(text) }

        /// Any other value: its description, escaped.
        public mutating func appendInterpolation(_ value: some CustomStringConvertible) {
            output += HTML.escape(value.description)
        }

        /// Markup: kept.
        public mutating func appendInterpolation(_ markup: HTML) { output += markup.rendered }

        /// Markup pieces: kept, joined.
        public mutating func appendInterpolation(_ markup: [HTML]) { output += markup.map(\.rendered).joined() }
    }
}
