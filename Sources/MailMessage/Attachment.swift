/// A file to attach to an ``OutgoingMessage``: a name, a media type and the bytes.
///
/// The file name is written with RFC 2231 encoding when it is not plain ASCII, and the
/// bytes always in base64 (RFC 2045 §6.8), so any content survives any transport.
public struct Attachment: Sendable, Hashable {
    /// The file name shown to the recipient (no directory part).
    public var filename: String
    /// The media type, e.g. `application/pdf`. Parameters other than `name` are kept.
    public var contentType: ContentType
    /// The file's bytes.
    public var data: [UInt8]
    /// Whether the part is marked `inline` (e.g. an image shown in the text) rather than
    /// `attachment`.
    public var isInline: Bool

    /// Creates an attachment; the content type defaults to `application/octet-stream`.
    public init(
        filename: String,
        contentType: ContentType = ContentType(type: "application", subtype: "octet-stream"),
        data: [UInt8],
        isInline: Bool = false
    ) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
        self.isInline = isInline
    }
}
