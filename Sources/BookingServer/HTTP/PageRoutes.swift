import Foundation
import HTTPTypes
import Hummingbird

/// `GET /` and its script and style sheet: the event-goers' page, kept in
/// `Sources/BookingServer/Page` and copied with the executable as its resources. Read once, served
/// from memory with an `ETag`, and a content security policy that lets the page load nothing from
/// another origin.
struct PageRoutes: Sendable {
    struct Asset: Sendable {
        let bytes: ByteBuffer
        let contentType: String
        let etag: String
    }

    /// Path → file, and the file's content type.
    static let files: [(path: String, file: String, contentType: String)] = [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/page.js", "page.js", "text/javascript; charset=utf-8"),
        ("/page.css", "page.css", "text/css; charset=utf-8"),
    ]

    static let policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    /// The page's files, or why they could not be read.
    static let loaded: Result<[String: Asset], PageMissing> = {
        guard let folder = Bundle.module.url(forResource: "Page", withExtension: nil) else {
            return .failure(PageMissing(description: "the resources of BookingServer hold no Page folder"))
        }
        var assets: [String: Asset] = [:]
        for (path, file, contentType) in files {
            guard let data = try? Data(contentsOf: folder.appendingPathComponent(file)) else {
                return .failure(PageMissing(description: "cannot read \(file) in \(folder.path)"))
            }
            assets[path] = Asset(bytes: ByteBuffer(bytes: data), contentType: contentType, etag: "\"\(fingerprint(data))\"")
        }
        return .success(assets)
    }()

    struct PageMissing: Error, CustomStringConvertible {
        let description: String
    }

    let assets: [String: Asset]

    func add(to router: Router<some RequestContext>) {
        for (path, asset) in assets {
            router.get(RouterPath(path)) { request, _ in Self.serve(asset, to: request) }
        }
    }

    static func serve(_ asset: Asset, to request: Request) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = asset.etag
        headers[.cacheControl] = "no-cache"
        if request.headers[.ifNoneMatch] == asset.etag {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        headers[.contentSecurityPolicy] = policy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "no-referrer"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }

    /// FNV-1a over the bytes, in hex: what the ETag compares.
    static func fingerprint(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

extension HTTPField.Name {
    static let contentSecurityPolicy = Self("Content-Security-Policy")!
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
