import AccountLinking
import Foundation

/// Printing for linkmail: one JSON object with `--json`, plain lines otherwise; diagnoses on
/// standard error (or as the JSON object's `error`).
enum Output {
    static func json(_ object: [String: Any]) {
        if let text = jsonText(object) { print(text) }
    }

    /// `object` as one line of JSON with sorted keys.
    static func jsonText(_ object: [String: Any]) -> String? {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return nil }
        return String(decoding: data, as: UTF8.self)
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

    static func failure(_ diagnosis: LinkDiagnosis, json: Bool) {
        if json {
            Output.json(["error": object(diagnosis)])
        } else {
            printError(diagnosis.description)
        }
    }
}
