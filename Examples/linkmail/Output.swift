import AccountLinking
import MailAuth
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Printing for linkmail: one JSON object with `--json`, plain lines otherwise; diagnoses on
/// standard error (or as the JSON object's `error`).
enum Output {
    static func json(_ object: [String: Any]) {
        if let text = jsonText(object) { print(text) }
    }

    /// `object` as one line of JSON with sorted keys.
    static func jsonText(_ object: [String: Any]) -> String? {
        JSONValue(converting: object)?.jsonText
    }

    /// A diagnosis as a JSON object: stage, summary, suggestion, transient, and the server's words.
    static func object(_ diagnosis: LinkDiagnosis) -> [String: Any] {
        var error: [String: Any] = [
            "stage": diagnosis.stage.rawValue, "summary": diagnosis.summary, "suggestion": diagnosis.suggestion,
            "transient": diagnosis.isTransient,
        ]
        if let serverText = diagnosis.serverText { error["serverText"] = serverText }
        return error
    }

    /// Writes `text` to standard output (or another descriptor) at once, unbuffered: for progress
    /// redrawn in place, and for diagnoses on standard error.
    static func write(_ text: String, to descriptor: Int32 = STDOUT_FILENO) {
        _ = write(Array(text.utf8), to: descriptor)
    }

    /// Writes every byte, retrying after interruptions and short writes; false on failure.
    static func write(_ bytes: [UInt8], to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    static func failure(_ diagnosis: LinkDiagnosis, json: Bool) {
        if json {
            Output.json(["error": object(diagnosis)])
        } else {
            printError(diagnosis.description)
        }
    }
}

/// write(2), named apart from ``Output/write(_:to:)``.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
