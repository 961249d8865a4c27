// swift-tools-version: 6.2
// MailLink: link external mailboxes over POP3, route them into folders, send as any linked address.
// No package dependencies: the toolchain and the system's OpenSSL only (see ../shared/DESIGN.md).

import PackageDescription

/// Settings every Swift target gets, set once here (as apple/swift-log does).
/// Warnings are errors for this package's own builds; SwiftPM ignores warning
/// control for packages that depend on MailLink, so users are never broken by a new warning.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let libraries: [(name: String, dependencies: [Target.Dependency])] = [
    ("MailTransport", ["COpenSSL"]),
    ("MailAuth", ["UnicodeNormalization"]),
    ("MailMessage", ["UnicodeNormalization"]),
    ("POP3Protocol", ["MailTransport", "MailAuth"]),
    ("IMAPProtocol", ["MailTransport", "MailAuth", "MailMessage"]),
    ("SMTPSender", ["MailTransport", "MailAuth", "MailMessage"]),
    ("MailOAuth", ["MailTransport", "MailAuth"]),
    (
        "AutoDiscovery",
        ["POP3Protocol", "IMAPProtocol", "SMTPSender", "MailMessage", "MailTransport", "UnicodeNormalization"]
    ),
    ("FolderRouting", ["MailMessage"]),
    (
        "AccountLinking",
        [
            "AutoDiscovery", "FolderRouting", "POP3Protocol", "SMTPSender", "MailAuth", "MailMessage",
            "MailTransport", "MailOAuth", "IMAPProtocol",
        ]
    ),
    ("MailTesting", ["MailTransport", "MailAuth", "COpenSSL"]),
]

var targets: [Target] = [
    // NFC and NFKC from the standard library alone (Foundation's need ICU): used by MailAuth,
    // MailMessage and AutoDiscovery, shipped inside their products, not a product of its own.
    .target(name: "UnicodeNormalization"),
    .testTarget(name: "UnicodeNormalizationTests", dependencies: ["UnicodeNormalization"]),
    .systemLibrary(
        name: "COpenSSL",
        pkgConfig: "openssl",
        providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
    ),
    .executableTarget(
        name: "linkmail",
        dependencies: ["AccountLinking", "AutoDiscovery", "FolderRouting", "POP3Protocol", "SMTPSender",
                       "MailTesting", "MailMessage", "MailAuth", "MailTransport", "MailOAuth"],
        path: "Examples/linkmail"
    ),
    // The Hotmail-style web example: a thin executable over WebmailKit (its HTTP server and pages).
    .target(
        name: "WebmailKit",
        dependencies: ["AccountLinking", "AutoDiscovery", "FolderRouting", "MailMessage", "MailAuth", "MailTransport",
                       "SMTPSender", "MailOAuth"],
        path: "Examples/webmail/WebmailKit"
    ),
    .executableTarget(
        name: "webmail",
        dependencies: ["WebmailKit", "AccountLinking", "AutoDiscovery", "FolderRouting", "MailTesting", "MailMessage",
                       "MailAuth", "MailTransport", "SMTPSender", "MailOAuth"],
        path: "Examples/webmail/webmail"
    ),
    .testTarget(
        name: "WebmailTests",
        dependencies: ["WebmailKit", "AccountLinking", "FolderRouting", "MailMessage", "MailAuth", "MailTransport",
                       "MailTesting", "MailOAuth", "SMTPSender"]
    ),
    // The repository's own bench helpers (the env file of scripts/testbed, running the package's
    // executables): for its tests and benchmarks only, never shipped in a product.
    .target(name: "TestbedSupport", path: "Tests/TestbedSupport"),
    .testTarget(name: "TestbedSupportTests", dependencies: ["TestbedSupport"]),
    .executableTarget(
        name: "MailLinkBenchmarks",
        dependencies: ["MailTransport", "MailAuth", "MailMessage", "POP3Protocol", "SMTPSender",
                       "FolderRouting", "MailTesting", "AutoDiscovery", "AccountLinking", "TestbedSupport"],
        path: "Benchmarks/MailLinkBenchmarks"
    ),
    .testTarget(
        name: "InteropTests",
        dependencies: ["MailTransport", "MailAuth", "MailMessage", "POP3Protocol", "SMTPSender",
                       "AutoDiscovery", "FolderRouting", "AccountLinking", "MailTesting", "IMAPProtocol", "MailOAuth",
                       "TestbedSupport"]
    ),
    .testTarget(name: "LinkmailTests", dependencies: ["MailTesting", "TestbedSupport"]),
    // Every Swift example of README.md and the DocC catalogs, compiled (see DocumentationSnippetTests).
    .testTarget(
        name: "DocumentationTests",
        dependencies: ["MailTransport", "MailAuth", "MailMessage", "POP3Protocol", "SMTPSender", "AutoDiscovery",
                       "FolderRouting", "AccountLinking", "MailTesting", "IMAPProtocol", "MailOAuth"]),
]

for library in libraries {
    targets.append(.target(name: library.name, dependencies: library.dependencies))
    var testDependencies: [Target.Dependency] = [.target(name: library.name)]
    if library.name != "MailTesting" { testDependencies.append("MailTesting") }
    targets.append(.testTarget(name: "\(library.name)Tests", dependencies: testDependencies))
}

// The OAuth end-to-end tests sign in, then fetch and send with the token (fakes on loopback).
if let index = targets.firstIndex(where: { $0.name == "MailOAuthTests" }) {
    targets[index].dependencies += ["POP3Protocol", "SMTPSender", "MailTransport", "MailAuth"]
}

for index in targets.indices where targets[index].type != .system {
    targets[index].swiftSettings = (targets[index].swiftSettings ?? []) + strictSettings
}

let package = Package(
    name: "MailLink",
    platforms: [.macOS(.v15)],
    products: libraries.map { .library(name: $0.name, targets: [$0.name]) }
        + [.executable(name: "linkmail", targets: ["linkmail"]), .executable(name: "webmail", targets: ["webmail"])],
    targets: targets
)
