/// The POP3 APOP command's digest (RFC 1939 §7): MD5 over the greeting's timestamp followed by
/// the shared secret, so the password is not sent in the clear.
///
/// ```
/// S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
/// C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
/// ```
///
/// Honest limits: MD5 is weak, a recorded exchange allows an offline dictionary attack, and the
/// server must keep the password in clear. Prefer TLS with SASL; APOP is for servers that offer
/// nothing better on a plain connection.
public enum APOP {
    /// The lower-case hex MD5 of `timestamp` (angle brackets included) followed by `password`.
    public static func digest(timestamp: String, password: String) -> String {
        HexEncoding.encode(MD5.hash(timestamp + password))
    }

    /// The `<…@…>` timestamp in a POP3 greeting (RFC 1939 §7), or `nil` when the server sent
    /// none and so does not support APOP.
    public static func timestamp(inGreeting greeting: String) -> String? {
        guard let open = greeting.lastIndex(of: "<"),
            let close = greeting[open...].firstIndex(of: ">")
        else { return nil }
        let candidate = greeting[open...close]
        guard candidate.contains("@"),
            !candidate.dropFirst().dropLast().contains(where: { $0 == "<" || $0.isWhitespace })
        else { return nil }
        return String(candidate)
    }
}
