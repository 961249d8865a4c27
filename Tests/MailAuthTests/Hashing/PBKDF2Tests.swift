import MailAuth
import Testing

@Suite("PBKDF2")
struct PBKDF2Tests {
    @Test(
        "PBKDF2-HMAC-SHA-1 reproduces the RFC 6070 test vectors",
        arguments: [
            ("password", "salt", 1, 20, "0c60c80f961f0e71f3a9b524af6012062fe037a6"),
            ("password", "salt", 2, 20, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"),
            ("password", "salt", 4096, 20, "4b007901b765489abead49d926f721d065a429c1"),
            (
                "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 25,
                "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038"
            ),
            ("pass\0word", "sa\0lt", 4096, 16, "56fa6aa75548099dcc37d7f03425e0c3"),
        ])
    func rfc6070(password: String, salt: String, iterations: Int, length: Int, key: String) {
        let derived = PBKDF2<SHA1>.deriveKey(
            password: utf8(password), salt: utf8(salt), iterations: iterations, keyByteCount: length)
        #expect(HexEncoding.encode(derived) == key)
    }

    // RFC 6070's 16 777 216-iteration vector takes minutes in a debug build; the `hashing`
    // benchmark (a release build) checks it and prints the result, so the suite never skips a test.

    @Test(
        "PBKDF2-HMAC-SHA-256 matches published values",
        arguments: [
            ("password", "salt", 1, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
            ("password", "salt", 2, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
            ("password", "salt", 4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
            (
                "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40,
                "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"
            ),
        ])
    func sha256(password: String, salt: String, iterations: Int, length: Int, key: String) {
        let derived = PBKDF2<SHA256>.deriveKey(
            password: utf8(password), salt: utf8(salt), iterations: iterations, keyByteCount: length)
        #expect(HexEncoding.encode(derived) == key)
    }
}

