/// The logging hook of the whole library: MailLink never prints; it hands lines to this.
///
/// A host application plugs in its own logging (swift-log, os_log, a file) with one closure;
/// the default, ``none``, drops everything. Messages are plain text for people, with a few
/// metadata fields (an account, a host, a step) that a structured logger can index.
///
/// What MailLink logs never carries a password, token, confirmation code, link token or message
/// body: only what already appears in errors and progress steps (addresses, host names, counts,
/// the server's status text).
///
/// ```swift
/// let logger = MailLogger(minimumLevel: .info) { level, message, metadata in
///     print("[\(level)] \(message) \(metadata)")
/// }
/// ```
public struct MailLogger: Sendable {
    /// How important a line is, lowest first.
    public enum Level: Int, Sendable, Hashable, Comparable, CaseIterable, CustomStringConvertible {
        case debug, info, notice, warning, error

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        /// `debug`, `info`, `notice`, `warning` or `error`.
        public var description: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .notice: "notice"
            case .warning: "warning"
            case .error: "error"
            }
        }
    }

    /// Lines below this level are not formatted at all.
    public var minimumLevel: Level
    private let sink: (@Sendable (Level, String, [String: String]) -> Void)?

    /// A logger that hands every line at `minimumLevel` or above to `sink`.
    public init(
        minimumLevel: Level = .info, _ sink: @escaping @Sendable (Level, String, [String: String]) -> Void
    ) {
        self.minimumLevel = minimumLevel
        self.sink = sink
    }

    private init() {
        minimumLevel = .error
        sink = nil
    }

    /// Drops everything: the default everywhere.
    public static let none = MailLogger()

    /// Logs `message` (built only when the level is enabled).
    public func log(
        _ level: Level, _ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]
    ) {
        guard let sink, level >= minimumLevel else { return }
        sink(level, message(), metadata())
    }

    /// `log(.debug, …)`.
    public func debug(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.debug, message(), metadata: metadata())
    }

    /// `log(.info, …)`.
    public func info(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.info, message(), metadata: metadata())
    }

    /// `log(.warning, …)`.
    public func warning(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.warning, message(), metadata: metadata())
    }

    /// `log(.error, …)`.
    public func error(_ message: @autoclosure () -> String, metadata: @autoclosure () -> [String: String] = [:]) {
        log(.error, message(), metadata: metadata())
    }
}
