import Foundation
import MailTesting
import Synchronization
import Testing

@testable import MailTransport

@Suite("HTTP client over loopback")
struct HTTPClientTests {
    /// Serves `response` to every connection and keeps the requests it read.
    final class CannedServer: Sendable {
        let listener: LoopbackListener
        let requests = Mutex<[String]>([])

        init(_ response: String, certificate: TestCertificateAuthority.ServerCertificate? = nil) throws {
            listener = try LoopbackListener(certificate: certificate, implicitTLS: certificate != nil)
            let listener = self.listener
            Task { [self] in
                await listener.serve { connection in
                    defer { connection.close() }
                    var request: [UInt8] = []
                    while let bytes = try? await connection.receive(maximumCount: 4096) {
                        request += bytes
                        let text = String(decoding: request, as: UTF8.self)
                        if let end = text.range(of: "\r\n\r\n"),
                            let length = text.split(separator: "\r\n").first(where: { $0.hasPrefix("Content-Length: ") }
                            )
                            .flatMap({ Int($0.dropFirst(16)) }),
                            text[end.upperBound...].utf8.count < length
                        {
                            continue
                        }
                        if text.contains("\r\n\r\n") { break }
                    }
                    self.requests.withLock { $0.append(String(decoding: request, as: UTF8.self)) }
                    if !response.isEmpty { try? await connection.send(Array(response.utf8)) }
                    if response.isEmpty { _ = try? await connection.receive(maximumCount: 1) }
                }
            }
        }

        var url: String { "http://127.0.0.1:\(listener.port)" }
    }

    @Test("a form POST sends Content-Type, Content-Length and the encoded body, and reads any status")
    func formPost() async throws {
        let server = try CannedServer(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: 2\r\n\r\n{}")
        defer { server.listener.close() }
        let response = try await HTTPClient().send(
            .form(server.url + "/token", fields: [("grant_type", "refresh_token"), ("refresh_token", "a b")]),
            timeout: .seconds(30))
        #expect(
            response.status == 400 && response.contentType == "application/json" && response.body == Array("{}".utf8))
        let request = try #require(server.requests.withLock { $0.first })
        #expect(request.hasPrefix("POST /token HTTP/1.1\r\nHost: 127.0.0.1:\(server.listener.port)\r\n"))
        #expect(request.contains("Content-Type: application/x-www-form-urlencoded\r\n"))
        #expect(request.contains("Content-Length: 42\r\n") && request.contains("Connection: close\r\n"))
        #expect(request.hasSuffix("\r\n\r\ngrant_type=refresh_token&refresh_token=a+b"))
    }

    @Test("a body over the cap is responseTooLarge; a silent server times out")
    func bounds() async throws {
        let large = try CannedServer("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n")
        defer { large.listener.close() }
        let tooLarge = await #expect(throws: TransportError.self) {
            _ = try await HTTPClient(maximumBodySize: 1000).send(.get(large.url, accept: "*/*"), timeout: .seconds(30))
        }
        #expect(tooLarge?.code == .responseTooLarge)
        let silent = try CannedServer("")
        defer { silent.listener.close() }
        let timedOut = await #expect(throws: TransportError.self) {
            _ = try await HTTPClient().send(.get(silent.url, accept: "*/*"), timeout: .milliseconds(300))
        }
        #expect(timedOut?.code == .timedOut)
    }

    @Test("header fields with line breaks and URLs with user info or other schemes are refused unsent")
    func refusals() async throws {
        let server = try CannedServer("HTTP/1.1 204 No Content\r\n\r\n")
        defer { server.listener.close() }
        var injected = HTTPRequest.get(server.url, accept: "*/*")
        injected.headers.append(HTTPHeaderField(name: "X", value: "a\r\nEvil: 1"))
        let injection = await #expect(throws: TransportError.self) {
            _ = try await HTTPClient().send(injected, timeout: .seconds(30))
        }
        #expect(injection?.code == .invalidRequest)
        for url in ["ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/", "not a url"] {
            let error = await #expect(throws: TransportError.self) {
                _ = try await HTTPClient().send(.get(url, accept: "*/*"), timeout: .seconds(30))
            }
            #expect(error?.code == .invalidURL && error?.detail.contains("pw") != true)
        }
        #expect(server.requests.withLock { $0.isEmpty })
    }

    @Test("HTTPS verifies the server with the policy's extra CA")
    func https() async throws {
        let authority = try TestCertificateAuthority()
        let server = try CannedServer(
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", certificate: try authority.issue(names: ["localhost"]))
        defer { server.listener.close() }
        let url = "https://localhost:\(server.listener.port)/"
        let refused = await #expect(throws: TransportError.self) {
            _ = try await HTTPClient(tlsPolicy: TLSPolicy(trustsSystemRoots: false)).send(
                .get(url, accept: "*/*"), timeout: .seconds(30))
        }
        #expect(refused?.isCertificateFailure == true)
        let trusted = HTTPClient(
            tlsPolicy: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]))
        #expect(try await trusted.send(.get(url, accept: "*/*"), timeout: .seconds(30)).body == Array("ok".utf8))
    }
}
