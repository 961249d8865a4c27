import Foundation
import Testing

@testable import MailMessage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The Date field of a message built without a date: now, at the local zone's offset. The zone
/// comes from the C library (`TZ`), because FoundationEssentials alone only knows GMT.
@Suite("OutgoingMessage: the local time zone", .serialized)
struct OutgoingMessageLocalDateTests {
    /// Runs `body` with `TZ` set to a POSIX zone, restoring the previous value afterwards.
    static func withZone(_ zone: String, _ body: () throws -> Void) rethrows {
        let previous = getenv("TZ").map { String(cString: $0) }
        setenv("TZ", zone, 1)
        tzset()
        defer {
            if let previous { setenv("TZ", previous, 1) } else { unsetenv("TZ") }
            tzset()
        }
        try body()
    }

    @Test("the offset is the local zone's (POSIX TZ 'XYZ-3' is three hours east of UTC), not GMT's")
    func localOffset() {
        Self.withZone("XYZ-3") {
            #expect(MailDate.localOffsetMinutes(at: Date(timeIntervalSince1970: 1_700_000_000)) == 180)
        }
        Self.withZone("ABC+5:30") {
            #expect(MailDate.localOffsetMinutes(at: Date(timeIntervalSince1970: 1_700_000_000)) == -330)
        }
    }

    @Test("a message without a date is stamped with the local offset")
    func undatedMessage() throws {
        try Self.withZone("XYZ-3") {
            var message = OutgoingMessage(from: try Mailbox("anna@example.com"))
            message.to = [try Mailbox("bob@example.com")]
            message.textBody = "hello"
            let parsed = try MIMEPart(parsing: try message.encoded(boundary: "test"))
            let date = try MailDate(parsing: try #require(parsed.header["Date"]))
            #expect(date.utcOffsetMinutes == 180)
        }
    }
}
