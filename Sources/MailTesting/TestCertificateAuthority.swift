import COpenSSL
import Synchronization
import MailTransport
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A throwaway certificate authority made at run time with OpenSSL, for tests only.
///
/// It writes PEM files into a fresh temporary folder: the CA certificate (trust it with
/// ``MailTransport/TLSPolicy/additionalTrustedCAFiles``) and server certificates it issues for
/// any names, including deliberately broken ones (expired, for another host, self-signed), so
/// certificate failures can be tested without a network. Keys are P-256 and never leave the folder.
public final class TestCertificateAuthority: Sendable {
    /// A server certificate and its key, as PEM files.
    public struct ServerCertificate: Sendable, Hashable {
        /// Certificate chain file (leaf first).
        public let certificateFile: String
        /// Private key file.
        public let privateKeyFile: String
        /// SHA-256 fingerprint of the leaf certificate (what a pin names).
        public let fingerprint: CertificateFingerprint
    }

    /// The folder holding every file.
    public let directory: String
    /// The CA certificate, PEM.
    public let caFile: String
    private let caKeyFile: String

    /// Creates a CA in a new temporary folder.
    public init(commonName: String = "MailLink Test CA (do not trust)") throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "maillink-test-ca-" + UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        caFile = directory + "/ca.pem"
        caKeyFile = directory + "/ca-key.pem"
        guard let key = maillink_generate_ec_key() else { throw Self.failure("generating the CA key") }
        defer { EVP_PKEY_free(key) }
        let certificate = try Self.build(
            commonName: commonName, names: [], key: key, issuerKey: key, issuer: nil,
            validity: -3600..<(10 * 365 * 86400), isCA: true)
        defer { X509_free(certificate) }
        try Self.write(certificates: [certificate], to: caFile)
        try Self.write(key: key, to: caKeyFile)
    }

    /// How a server certificate is chained to this CA.
    public enum Chain: Sendable, Hashable {
        /// Issued by the CA itself.
        case direct
        /// Issued by an intermediate CA that the CA issued, and the file holds the intermediate
        /// after the leaf, as a correctly configured server sends it.
        case intermediateSent
        /// Issued by an intermediate CA, but the file holds only the leaf: the server leaves the
        /// intermediate out (a common misconfiguration). The leaf says where its issuer is
        /// published (Authority Information Access, RFC 5280 §4.2.2.1), as public CAs' leaves do.
        case intermediateLeftOut
    }

    /// Where a leaf issued through an intermediate says its issuer is published (never fetched).
    public static let intermediateURL = "http://ca.invalid/maillink-test-intermediate.crt"

    /// Issues a server certificate for `names` (DNS names or IP literals), valid over `validity`
    /// seconds relative to now; a range in the past gives an expired certificate, one in the
    /// future a certificate not valid yet.
    /// With `selfSigned`, the certificate signs itself instead of being issued by this CA.
    public func issue(
        names: [String] = ["localhost", "127.0.0.1", "::1"],
        validity: Range<Int> = -3600..<(365 * 86400),
        selfSigned: Bool = false,
        chain: Chain = .direct,
        label: String = UUID().uuidString
    ) throws -> ServerCertificate {
        guard let key = maillink_generate_ec_key() else { throw Self.failure("generating a key") }
        defer { EVP_PKEY_free(key) }
        let caCertificate = try Self.readCertificate(caFile)
        defer { X509_free(caCertificate) }
        let caKey = try Self.readKey(caKeyFile)
        defer { EVP_PKEY_free(caKey) }
        var issuerCertificate = caCertificate
        var issuerKey = caKey
        var intermediate: OpaquePointer?
        var intermediateKey: OpaquePointer?
        defer {
            if let intermediate { X509_free(intermediate) }
            if let intermediateKey { EVP_PKEY_free(intermediateKey) }
        }
        if chain != .direct {
            guard let newKey = maillink_generate_ec_key() else { throw Self.failure("generating a key") }
            intermediateKey = newKey
            let certificate = try Self.build(
                commonName: "MailLink Test Intermediate (do not trust)", names: [], key: newKey, issuerKey: caKey,
                issuer: caCertificate, validity: -3600..<(5 * 365 * 86400), isCA: true)
            intermediate = certificate
            (issuerCertificate, issuerKey) = (certificate, newKey)
        }
        let certificate = try Self.build(
            commonName: names.first ?? "localhost", names: names, key: key,
            issuerKey: selfSigned ? key : issuerKey, issuer: selfSigned ? nil : issuerCertificate,
            validity: validity, isCA: false,
            extra: chain == .direct ? [] : [(NID_info_access, "caIssuers;URI:\(Self.intermediateURL)")])
        defer { X509_free(certificate) }
        let certificateFile = directory + "/\(label).pem"
        let keyFile = directory + "/\(label)-key.pem"
        try Self.write(certificates: [certificate] + (chain == .intermediateSent ? intermediate.map { [$0] } ?? [] : []), to: certificateFile)
        try Self.write(key: key, to: keyFile)
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard X509_digest(certificate, EVP_sha256(), &digest, &length) == 1,
            let fingerprint = CertificateFingerprint(bytes: digest)
        else { throw Self.failure("computing a fingerprint") }
        return ServerCertificate(certificateFile: certificateFile, privateKeyFile: keyFile, fingerprint: fingerprint)
    }

    /// A folder holding only the CA certificate, named by its subject-name hash as in
    /// `/etc/ssl/certs` (`openssl rehash`), for a test of trust read from such a directory
    /// (`SSL_CERT_DIR`); written again on each call, inside ``directory``.
    public func hashedDirectory() throws -> String {
        let hashed = directory + "/hashed"
        try FileManager.default.createDirectory(atPath: hashed, withIntermediateDirectories: true)
        let certificate = try Self.readCertificate(caFile)
        defer { X509_free(certificate) }
        let hash = String(UInt32(truncatingIfNeeded: X509_subject_name_hash(certificate)), radix: 16)
        try Self.write(certificates: [certificate], to: hashed + "/" + String(repeating: "0", count: 8 - hash.count) + hash + ".0")
        return hashed
    }

    /// Removes the folder.
    public func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static let serial = Mutex<Int>(1)

    private static func build(
        commonName: String, names: [String], key: OpaquePointer, issuerKey: OpaquePointer,
        issuer: OpaquePointer?, validity: Range<Int>, isCA: Bool, extra: [(Int32, String)] = []
    ) throws -> OpaquePointer {
        guard let certificate = X509_new() else { throw failure("X509_new") }
        var ok = X509_set_version(certificate, 2) == 1
        let serialNumber = serial.withLock { value -> Int in value += 1; return value }
        ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(certificate), serialNumber + Int(UInt16.random(in: 0...UInt16.max)) << 16) == 1
        ok = ok && X509_gmtime_adj(X509_getm_notBefore(certificate), validity.lowerBound) != nil
        ok = ok && X509_gmtime_adj(X509_getm_notAfter(certificate), validity.upperBound) != nil
        ok = ok && X509_set_pubkey(certificate, key) == 1
        let subject = X509_get_subject_name(certificate)
        ok = ok && X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
        ok = ok && X509_set_issuer_name(certificate, issuer.map { X509_get_subject_name($0) } ?? subject) == 1
        var extensions: [(Int32, String)] = []
        if isCA {
            extensions = [(NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign")]
        } else {
            let alternatives = names.map { TLSPolicy.isIPLiteral($0) ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
            extensions = [(NID_basic_constraints, "critical,CA:FALSE"), (NID_ext_key_usage, "serverAuth")]
            if !alternatives.isEmpty { extensions.append((NID_subject_alt_name, alternatives)) }
        }
        extensions += extra
        for (nid, value) in extensions where ok {
            var context = X509V3_CTX()
            X509V3_set_ctx(&context, issuer ?? certificate, certificate, nil, nil, 0)
            guard let ext = X509V3_EXT_conf_nid(nil, &context, nid, value) else { ok = false; break }
            ok = X509_add_ext(certificate, ext, -1) == 1
            X509_EXTENSION_free(ext)
        }
        ok = ok && X509_sign(certificate, issuerKey, EVP_sha256()) > 0
        guard ok else {
            X509_free(certificate)
            throw failure("building a certificate for \(commonName)")
        }
        return certificate
    }

    private static func write(certificates: [OpaquePointer], to path: String) throws {
        guard let bio = BIO_new_file(path, "w") else { throw failure("writing \(path)") }
        defer { BIO_free(bio) }
        for certificate in certificates {
            guard PEM_write_bio_X509(bio, certificate) == 1 else { throw failure("writing \(path)") }
        }
    }

    private static func write(key: OpaquePointer, to path: String) throws {
        guard let bio = BIO_new_file(path, "w") else { throw failure("writing \(path)") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key, nil, nil, 0, nil, nil) == 1 else { throw failure("writing \(path)") }
    }

    private static func readCertificate(_ path: String) throws -> OpaquePointer {
        guard let bio = BIO_new_file(path, "r") else { throw failure("reading \(path)") }
        defer { BIO_free(bio) }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else { throw failure("reading \(path)") }
        return certificate
    }

    private static func readKey(_ path: String) throws -> OpaquePointer {
        guard let bio = BIO_new_file(path, "r") else { throw failure("reading \(path)") }
        defer { BIO_free(bio) }
        guard let key = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else { throw failure("reading \(path)") }
        return key
    }

    private static func failure(_ what: String) -> TransportError {
        TransportError(.systemError, "test certificate authority: \(what) failed")
    }
}
