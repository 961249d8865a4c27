import Synchronization
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Browser sessions: a random identifier in a cookie the page's scripts cannot read and other
/// sites cannot send (`HttpOnly`, `SameSite=Strict`, RFC 6265bis §4.1.2.7), and per session a
/// random token that every form carries, so another site cannot post a form as the user
/// (the synchronizer token pattern; `Origin` and `Sec-Fetch-Site` are checked too when present).
public final class SessionStore: Sendable {
    /// One browser's session.
    public struct Session: Sendable, Equatable {
        /// The cookie value.
        public let id: String
        /// The token every form of this session carries.
        public let csrfToken: String
    }

    /// The cookie's name.
    public static let cookieName = "webmail_session"
    /// Sessions kept at once; the oldest is forgotten beyond (a client cannot fill memory).
    public let capacity: Int

    private let sessions = Mutex<(byID: [String: Session], order: [String])>(([:], []))

    /// A store of at most `capacity` sessions.
    public init(capacity: Int = 256) { self.capacity = max(1, capacity) }

    /// The session named by the request's cookie, if it exists here.
    public func session(for request: WebRequest) -> Session? {
        guard let id = request.cookies[Self.cookieName] else { return nil }
        return sessions.withLock { $0.byID[id] }
    }

    /// A new session.
    public func create() -> Session {
        let session = Session(id: Self.randomToken(), csrfToken: Self.randomToken())
        sessions.withLock { state in
            state.byID[session.id] = session
            state.order.append(session.id)
            while state.order.count > capacity { state.byID[state.order.removeFirst()] = nil }
        }
        return session
    }

    /// The `Set-Cookie` value for `session`: no `Expires` (it ends with the browser), path `/`.
    public static func cookie(for session: Session) -> String {
        "\(cookieName)=\(session.id); Path=/; HttpOnly; SameSite=Strict"
    }

    /// Whether a state-changing request comes from this site's own form in this session: the
    /// session exists, the form's `csrf` field matches its token, and the browser's `Origin` and
    /// `Sec-Fetch-Site` (when sent) name this origin.
    public func verify(_ request: WebRequest, origins: Set<String>) -> Session? {
        guard let session = session(for: request) else { return nil }
        guard let token = request.formValue("csrf"), Self.constantTimeEqual(token, session.csrfToken) else {
            return nil
        }
        if let origin = request.header("origin"), !origins.contains(origin) { return nil }
        if let site = request.header("sec-fetch-site"), site != "same-origin" { return nil }
        return session
    }

    /// 32 random bytes (from the system's generator, `getrandom(2)` on Linux), URL-safe base64.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacing("+", with: "-").replacing("/", with: "_")
            .replacing("=", with: "")
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
