/// The `a=value,b=value` attribute list of a SCRAM server message (RFC 5802 §7), in order.
struct SCRAMAttributes {
    private(set) var pairs: [(key: String, value: String)] = []

    /// Splits `message` on commas; each part must be a single letter, `=`, and a value.
    init(parsing message: String, mechanism: String) throws(MailAuthError) {
        for part in message.split(separator: ",", omittingEmptySubsequences: false) {
            let characters = Array(part)
            guard characters.count >= 2, characters[1] == "=", characters[0].isASCII, characters[0].isLetter else {
                throw MailAuthError(
                    .malformedServerMessage, mechanism: mechanism,
                    detail: "a SCRAM attribute is not of the form a=value")
            }
            pairs.append((String(characters[0]), String(part.dropFirst(2))))
        }
    }

    /// The first attribute.
    var first: (key: String, value: String)? { pairs.first }

    /// The value of the first attribute named `key`.
    subscript(key: String) -> String? {
        pairs.first { $0.key == key }?.value
    }
}
