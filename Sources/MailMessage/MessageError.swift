/// The one error type of MailMessage: what went wrong while parsing or building a message.
///
/// Descriptions name the problem and, where useful, the field or limit involved; they never
/// contain a message body or a header value, so an error can be logged safely.
public struct MessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is. Extensible: new codes may be added in later versions.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A short stable name for the code, e.g. `"headerTooLarge"`.
        public let name: String

        init(_ name: String) { self.name = name }

        /// The header section exceeded ``ParserLimits/maxHeaderBytes``.
        public static let headerTooLarge = Code("headerTooLarge")
        /// The header section had more fields than ``ParserLimits/maxFields``.
        public static let tooManyFields = Code("tooManyFields")
        /// A single header line exceeded ``ParserLimits/maxLineLength``.
        public static let lineTooLong = Code("lineTooLong")
        /// An e-mail address is not valid (RFC 5321 §4.1.2, RFC 5322 §3.4.1).
        public static let invalidAddress = Code("invalidAddress")
        /// An address exceeds an RFC 5321 §4.5.3.1 length limit.
        public static let addressTooLong = Code("addressTooLong")
        /// A domain name (or one of its labels) is not valid.
        public static let invalidDomain = Code("invalidDomain")
        /// A date could not be parsed (RFC 5322 §3.3).
        public static let invalidDate = Code("invalidDate")
        /// A Message-ID could not be parsed (RFC 5322 §3.6.4).
        public static let invalidMessageID = Code("invalidMessageID")
        /// A value given for a header contains CR, LF or NUL, which would let it inject fields.
        public static let headerInjection = Code("headerInjection")
        /// A header field name is not made of printable ASCII without a colon (RFC 5322 §2.2).
        public static let invalidFieldName = Code("invalidFieldName")
        /// A message to build has no recipient.
        public static let missingRecipients = Code("missingRecipients")
        /// An extra header field given to the builder is one the builder writes itself.
        public static let reservedField = Code("reservedField")

        /// The code's name.
        public var description: String { name }
    }

    /// What kind of failure this is.
    public let code: Code
    /// A short explanation for people; never contains message content.
    public let detail: String

    /// Creates an error with a code and a short, content-free explanation.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// `code: detail`.
    public var description: String { "\(code.name): \(detail)" }
}
