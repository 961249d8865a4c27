import COpenSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the operating system's trust anchors are read from.
///
/// OpenSSL's defaults (`SSL_CTX_set_default_verify_paths`) parse the whole CA bundle file
/// (`/usr/lib/ssl/cert.pem`, on Debian `/etc/ssl/certs/ca-certificates.crt`: about 150
/// certificates) every time a context is made: about 45 ms here, a fifteenth of a whole
/// 2,000-message IMAP fetch. The certificate directory next to it holds the same anchors under their
/// subject-name hashes (`5ad8a5d6.0`, written by `update-ca-certificates` or `openssl rehash`),
/// and OpenSSL reads from it only the issuer a chain asks for, when it asks. So the directory is
/// used alone when it is laid out that way; otherwise, or when `SSL_CERT_FILE` names a bundle on
/// purpose, OpenSSL's defaults are (and with them `SSL_CERT_DIR`).
package enum SystemTrust: Sendable, Hashable {
    /// Hashed certificate directories (`:`-separated, as `SSL_CERT_DIR`), each issuer read on demand.
    case hashedDirectories(String)
    /// OpenSSL's default file and directory.
    case defaultPaths

    /// The choice for this process's environment and OpenSSL's compiled-in directory.
    package static var current: SystemTrust {
        choose(
            certificateFile: getenv(X509_get_default_cert_file_env()).map { String(cString: $0) },
            certificateDirectories: getenv(X509_get_default_cert_dir_env()).map { String(cString: $0) }
                ?? String(cString: X509_get_default_cert_dir()))
    }

    /// The directories alone when at least one of them holds a hashed name; the defaults when a
    /// certificate file is named (`SSL_CERT_FILE`) or no directory is hashed.
    package static func choose(certificateFile: String?, certificateDirectories: String) -> SystemTrust {
        guard certificateFile?.isEmpty ?? true else { return .defaultPaths }
        let directories = certificateDirectories.split(separator: ":").map(String.init)
        guard directories.contains(where: holdsHashedName) else { return .defaultPaths }
        return .hashedDirectories(certificateDirectories)
    }

    /// Loads the anchors into `context`; false when OpenSSL refused.
    func load(into context: OpaquePointer) -> Bool {
        switch self {
        case .hashedDirectories(let directories):
            SSL_CTX_load_verify_locations(context, nil, directories) == 1
        case .defaultPaths:
            SSL_CTX_set_default_verify_paths(context) == 1
        }
    }

    /// Whether `directory` has an entry named like `5ad8a5d6.0`: eight hexadecimal digits, a dot,
    /// a decimal sequence number (the names OpenSSL's directory lookup opens).
    static func holdsHashedName(_ directory: String) -> Bool {
        guard let stream = opendir(directory) else { return false }
        defer { closedir(stream) }
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            if isHashedName(name) { return true }
        }
        return false
    }

    static func isHashedName(_ name: [UInt8]) -> Bool {
        guard name.count >= 10, name[8] == UInt8(ascii: "."), name[8...].count <= 6 else { return false }
        let isHex = name[..<8].allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
        return isHex && name[9...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
