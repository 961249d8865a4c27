import MailAuth
import Testing

/// Expects `body` to throw a `MailAuthError` with `code`.
func expectError(
    _ code: MailAuthError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    let error = #expect(throws: MailAuthError.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.code == code, sourceLocation: sourceLocation)
}

extension SASLStep {
    /// The bytes of a `.respond` step, as text.
    var responseText: String? {
        if case .respond(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }
}
