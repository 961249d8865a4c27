/// A corpus of tricky messages written for these tests: each one exercises something real
/// mail does that a naive parser gets wrong. Kept as literals because the test target
/// declares no resources.
enum TrickyMessages {
    /// Nested multiparts: mixed > alternative (plain + related > html + image) + attachment,
    /// with preamble and epilogue, CRLF line ends.
    static let nested = TestBytes.crlf(
        """
        From: =?koi8-r?B?8NLJ18XU?= <sender@example.ru>
        To: Bob <bob@example.com>
        Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?= =?UTF-8?Q?_=D0=BC=D0=B8=D1=80?=
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="outer"

        This is the preamble; it is not a part.
        --outer
        Content-Type: multipart/alternative; boundary=inner

        --inner
        Content-Type: text/plain; charset=windows-1251
        Content-Transfer-Encoding: quoted-printable

        =CF=F0=E8=E2=E5=F2
        --inner
        Content-Type: multipart/related; boundary="rel"

        --rel
        Content-Type: text/html; charset=utf-8

        <p>hi</p>
        --rel
        Content-Type: image/png
        Content-Transfer-Encoding: base64
        Content-ID: <img1@example.ru>

        iVBORw0KGgo=
        --rel--
        --inner--
        --outer
        Content-Type: application/pdf; name="old.pdf"
        Content-Disposition: attachment;
         filename*0*=utf-8''%D0%BE%D1%82%D1%87%D1%91%D1%82;
         filename*1=".pdf"
        Content-Transfer-Encoding: base64

        JVBERi0xLjQK
        --outer--
        This is the epilogue.
        """
    )

    /// A multipart whose close delimiter is missing and whose boundary line has padding.
    static let missingClose = TestBytes.lf(
        "Content-Type: multipart/mixed; boundary=b\n\n--b   \nContent-Type: text/plain\n\nfirst\n--b\n\nsecond part runs to the end\n"
    )

    /// A multipart that names a boundary that never occurs: no parts, body kept.
    static let wrongBoundary = TestBytes.crlf(
        "Content-Type: multipart/mixed; boundary=nothere\n\n--other\nContent-Type: text/plain\n\nx\n--other--\n"
    )

    /// A multipart with no boundary parameter at all.
    static let noBoundary = TestBytes.crlf("Content-Type: multipart/mixed\n\nbody\n")

    /// A boundary that is a prefix of another line, which must not split the part.
    static let prefixBoundary = TestBytes.crlf(
        "Content-Type: multipart/mixed; boundary=ab\n\n--ab\n\n--abc is text, not a delimiter\n--ab--\n"
    )

    /// Mixed charsets in one header, an 8-bit raw subject, KOI8-R body without a charset on
    /// the Content-Type of the attachment name.
    static let mixedCharsets: [UInt8] =
        TestBytes.crlf(
            """
            From: =?iso-8859-1?q?Andr=E9?= <andre@example.fr>, =?windows-1251?B?yOLg7Q==?= <ivan@example.ru>
            Subject: =?iso-8859-2?q?=A3=F3d=BC?= and =?koi8-u?q?=A4?=
            Content-Type: text/plain; charset=koi8-r
            Content-Transfer-Encoding: 8bit

            """
        ) + [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4, 0x0D, 0x0A]

    /// No header fields that matter: no From, no Date, no Content-Type, bare LF.
    static let missingHeaders = TestBytes.lf("X-Only: one\n\nJust a body.\n")

    /// No header at all: the first line is not a field, so everything is body.
    static let noHeader = TestBytes.lf("Hello there,\nthis has no header.\n")

    /// A forwarded message (message/rfc822) inside a multipart, and a digest whose parts
    /// default to message/rfc822.
    static let forwarded = TestBytes.crlf(
        """
        Subject: Fwd: inner
        Content-Type: multipart/mixed; boundary=f

        --f
        Content-Type: text/plain

        See below.
        --f
        Content-Type: message/rfc822

        Subject: the inner one
        From: inner@example.com

        inner body
        --f
        Content-Type: multipart/digest; boundary=d

        --d

        Subject: digest item

        item body
        --d--
        --f--
        """
    )

    /// A long Cyrillic subject folded over several encoded words, and a folded From.
    static let cyrillicSubject = TestBytes.crlf(
        """
        Subject: =?windows-1251?B?z/Do4uXyLCDs6PAhIN3y7iDk6+jt7eD/IPLl7OAg7+jx?=
         =?windows-1251?B?/OzgLCDi+/Dg4u3o4uDt6OU=?=
        From:
         =?utf-8?B?0JjQstCw0L0=?=
         <ivan@example.ru>

        body
        """
    )
}
