import MailTesting
import MailTransport
import Testing

@testable import AutoDiscovery

@Suite("HTTP fetcher over loopback")
struct SocketHTTPFetcherTests {

    /// Serves one canned response per connection after reading the request head.
    func serve(
        _ response: String, certificate: TestCertificateAuthority.ServerCertificate? = nil
    ) throws -> (LoopbackListener, Task<Void, Never>) {
        let listener = try LoopbackListener(certificate: certificate, implicitTLS: certificate != nil)
        let task = Task {
            await listener.serve { connection in
                defer { connection.close() }
                var request: [UInt8] = []
                while !String(decoding: request, as: UTF8.self).contains("\r\n\r\n"),
                    let bytes = try? await connection.receive(maximumCount: 4096)
                {
                    request += bytes
                }
                try? await connection.send(Array(response.utf8))
            }
        }
        return (listener, task)
    }

    func code(_ body: () async throws -> Void) async -> DiscoveryError.Code? {
        do { try await body() } catch let error as DiscoveryError { return error.code } catch { return nil }
        return nil
    }

    static let xml = "<clientConfig/>"

    @Test("plain HTTP with Content-Length returns the XML body")
    func plainHTTP() async throws {
        let (listener, task) = try serve(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: \(Self.xml.utf8.count)\r\n\r\n\(Self.xml)"
        )
        defer { listener.close(); task.cancel() }
        let response = try await SocketHTTPFetcher().fetch(
            "http://127.0.0.1:\(listener.port)/mail/config-v1.1.xml?emailaddress=a%40b.c", timeout: .seconds(30))
        #expect(response.body == Array(Self.xml.utf8) && response.contentType == "text/xml")
    }

    @Test("HTTPS is verified with the configured CA")
    func https() async throws {
        let authority = try TestCertificateAuthority()
        let certificate = try authority.issue(names: ["localhost", "127.0.0.1"])
        let (listener, task) = try serve(
            "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n\(Self.xml)",
            certificate: certificate)
        defer { listener.close(); task.cancel() }
        let url = "https://localhost:\(listener.port)/v1.1/example.test"
        let trusted = SocketHTTPFetcher(
            tlsPolicy: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]))
        #expect(try await trusted.fetch(url, timeout: .seconds(30)).body == Array(Self.xml.utf8))
        #expect(
            await code {
                _ = try await SocketHTTPFetcher(tlsPolicy: TLSPolicy(trustsSystemRoots: false)).fetch(
                    url, timeout: .seconds(30))
            } == .network)
    }

    @Test("with a resolver, the host is resolved there, every address is tried, and TLS checks the name")
    func resolverSeam() async throws {
        let authority = try TestCertificateAuthority()
        let certificate = try authority.issue(names: ["config.example.test"])
        let (listener, task) = try serve(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: \(Self.xml.utf8.count)\r\n\r\n\(Self.xml)",
            certificate: certificate)
        defer { listener.close(); task.cancel() }
        var resolver = FakeResolver()
        resolver.add("config.example.test", .a, .address("127.0.0.2"), .address("127.0.0.1"))
        let fetcher = SocketHTTPFetcher(
            tlsPolicy: TLSPolicy(trustsSystemRoots: false, additionalTrustedCAFiles: [authority.caFile]),
            resolver: resolver)
        let response = try await fetcher.fetch(
            "https://config.example.test:\(listener.port)/mail/config-v1.1.xml", timeout: .seconds(30))
        #expect(response.body == Array(Self.xml.utf8))
    }

    @Test("non-XML content, error statuses, oversized bodies and foreign redirects are refused")
    func refusals() async throws {
        let cases: [(String, DiscoveryError.Code)] = [
            ("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 2\r\n\r\nhi", .httpFailure),
            ("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", .httpFailure),
            ("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 999999999\r\n\r\n", .httpTooLarge),
            (
                "HTTP/1.1 302 Found\r\nLocation: https://evil.example.net/config.xml\r\nContent-Length: 0\r\n\r\n",
                .httpRedirectRefused
            ),
            ("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\ntruncated", .httpFailure),
        ]
        for (response, expected) in cases {
            let (listener, task) = try serve(response)
            defer { listener.close(); task.cancel() }
            let failure = await code {
                _ = try await SocketHTTPFetcher().fetch("http://127.0.0.1:\(listener.port)/x", timeout: .seconds(30))
            }
            #expect(failure == expected, "\(response.prefix(40))")
        }
    }

    @Test("a redirect on the same host is followed")
    func sameHostRedirect() async throws {
        let (target, targetTask) = try serve(
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: \(Self.xml.utf8.count)\r\n\r\n\(Self.xml)")
        let (listener, task) = try serve(
            "HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:\(target.port)/moved\r\nContent-Length: 0\r\n\r\n")
        defer { listener.close(); task.cancel(); target.close(); targetTask.cancel() }
        let response = try await SocketHTTPFetcher().fetch("http://127.0.0.1:\(listener.port)/x", timeout: .seconds(30))
        #expect(response.url.hasSuffix("/moved"))
    }

    @Test("a server that never answers hits the timeout")
    func timeout() async throws {
        let listener = try LoopbackListener()
        let task = Task {
            await listener.serve { connection in
                _ = try? await connection.receive(maximumCount: 1); try? await Task.sleep(for: .seconds(10))
            }
        }
        defer { listener.close(); task.cancel() }
        #expect(
            await code {
                _ = try await SocketHTTPFetcher().fetch(
                    "http://127.0.0.1:\(listener.port)/x", timeout: .milliseconds(300))
            } == .timedOut)
    }
}
