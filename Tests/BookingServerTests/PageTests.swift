import Foundation
import HTTPTypes
import Testing

@testable import BookingServer

/// `GET /`, its script and its style sheet: served from the executable's resources, with a policy
/// that lets the page load nothing from another origin, and nothing in them that would.
@Suite("The page")
struct PageTests {
    @Test(arguments: PageRoutes.files.map(\.path))
    func eachFileIsServedWithItsTypeAndThePolicy(_ path: String) async throws {
        try await TestServer.withAPI { api in
            let reply = try await api.get(path)
            #expect(reply.status == 200)
            let expected = PageRoutes.files.first { $0.path == path }!.contentType
            #expect(reply.headers["content-type"] == expected)
            #expect(reply.headers["content-security-policy"]?.hasPrefix("default-src 'self'") == true)
            #expect(reply.headers["x-content-type-options"] == "nosniff")
            let etag = try #require(reply.headers["etag"])
            let again = try await api.get(path, headers: [.ifNoneMatch: etag])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
        }
    }

    @Test func thePageLoadsItsOwnScriptAndStyleAndNothingFromElsewhere() async throws {
        try await TestServer.withAPI { api in
            let html = try await api.get("/").text
            #expect(html.contains(#"<script src="/page.js" defer></script>"#))
            #expect(html.contains(#"<link rel="stylesheet" href="/page.css">"#))
            for path in PageRoutes.files.map(\.path) {
                let text = try await api.get(path).text
                // No absolute or protocol-relative URL anywhere: every fetch stays on this origin.
                #expect(text.range(of: #"(https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}"#, options: .regularExpression) == nil, "\(path) names another host")
            }
            let script = try await api.get("/page.js").text
            #expect(script.contains("new EventSource(`/api/events/${event.id}/stream`)"), "the map is kept by the stream")
        }
    }
}
