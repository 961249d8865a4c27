/// One element of a document read by ``XMLReader``.
struct XMLElement: Sendable, Hashable {
    /// The name without namespace prefix.
    var name: String
    /// The name as written.
    var qualifiedName: String
    /// Attributes by local name.
    var attributes: [String: String] = [:]
    /// Child elements in document order.
    var children: [XMLElement] = []
    /// The concatenated character data directly inside this element.
    var text: String = ""

    init(name: String, qualifiedName: String? = nil) {
        self.name = name
        self.qualifiedName = qualifiedName ?? name
    }

    /// Children named `name`.
    func children(named name: String) -> [XMLElement] { children.filter { $0.name == name } }
    /// The first child named `name`.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }
    /// The trimmed text of the first child named `name`.
    func value(_ name: String) -> String? { child(name)?.text.trimmingWhitespace() }
}
