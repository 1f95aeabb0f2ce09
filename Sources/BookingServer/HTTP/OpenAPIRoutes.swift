import Foundation
import Hummingbird

/// `GET /openapi.json`: the OpenAPI 3.1 document of every endpoint, kept in
/// `Sources/BookingServer/OpenAPI/openapi.json` and copied with the executable as a resource;
/// served byte for byte as kept, from memory, with an `ETag`. A test holds the router and the
/// document to the same routes and methods.
struct OpenAPIRoutes: Sendable {
    static let path = "/openapi.json"
    static let contentType = "application/json; charset=utf-8"

    /// The document's bytes, or why they could not be read.
    static let loaded: Result<PageRoutes.Asset, PageRoutes.PageMissing> = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json", subdirectory: "OpenAPI"),
              let data = try? Data(contentsOf: url)
        else {
            return .failure(PageRoutes.PageMissing(description: "the resources of BookingServer hold no OpenAPI/openapi.json"))
        }
        return .success(PageRoutes.Asset(
            bytes: ByteBuffer(bytes: data), contentType: contentType, etag: "\"\(PageRoutes.fingerprint(data))\""
        ))
    }()

    let document: PageRoutes.Asset

    func add(to router: Router<some RequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ in PageRoutes.serve(document, to: request) }
    }
}
