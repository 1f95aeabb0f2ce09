import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import BookingServer

/// `GET /openapi.json` and the router: the document is served as the repository keeps it, and it
/// names exactly the routes and methods the router serves.
@Suite("The OpenAPI document")
struct OpenAPIDocumentTests {
    static let repositoryFile = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/BookingServer/OpenAPI/openapi.json")

    /// The document's (path, METHOD) pairs.
    static func documentedOperations(_ data: Data) throws -> Set<String> {
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return Set(paths.flatMap { path, item in
            item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" }
        })
    }

    @Test func theDocumentIsServedAsTheRepositoryKeepsIt() async throws {
        let kept = try Data(contentsOf: Self.repositoryFile)
        try await TestServer.withAPI { api in
            let reply = try await api.get("/openapi.json")
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"] == "application/json; charset=utf-8")
            #expect(reply.body == Array(kept), "served byte for byte")
            let etag = try #require(reply.headers["etag"])
            #expect(try await api.get("/openapi.json", headers: [.ifNoneMatch: etag]).status == 304)
        }
    }

    @Test func theRouterServesExactlyTheDocumentedRoutesAndMethods() async throws {
        let documented = try Self.documentedOperations(try Data(contentsOf: Self.repositoryFile))
        let configuration = TestEnvironment.configuration(
            databaseURL: TestEnvironment.databaseURL, redisURL: TestEnvironment.redisURL
        )
        let clients = try StoreClients(configuration: configuration, logger: TestEnvironment.logger)
        let router = buildRouter(clients: clients, configuration: configuration, logger: TestEnvironment.logger)
        let routed = router.routes.map { (path: $0.path.description, method: $0.method) }
        await clients.close()

        // Every routed path is documented, and every documented operation is routed.
        let documentedPaths = Set(documented.map { String($0.split(separator: " ", maxSplits: 1)[1]) })
        let routedPaths = Set(routed.map(\.path))
        #expect(routedPaths.subtracting(documentedPaths).isEmpty, "routed, not documented: \(routedPaths.subtracting(documentedPaths).sorted())")
        #expect(documentedPaths.subtracting(routedPaths).isEmpty, "documented, not routed: \(documentedPaths.subtracting(routedPaths).sorted())")
        let routedOperations = Set(routed.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented.subtracting(routedOperations).isEmpty, "documented, not routed: \(documented.subtracting(routedOperations).sorted())")
        #expect(Set(APIRoutes.all.flatMap { route in route.methods.map { "\($0.rawValue) \(route.path)" } }) == documented)

        // The router also holds a route for each other method of a path, there only to refuse it:
        // each of those answers 405, so the router serves nothing the document leaves out.
        let refused = routed.filter { !documented.contains("\($0.method.rawValue) \($0.path)") }
        #expect(!refused.isEmpty)
        try await TestServer.withAPI { api in
            for route in refused {
                let path = route.path.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "1", options: .regularExpression)
                let reply = try await api.send(route.method, path, headers: [:], body: nil)
                #expect(reply.status == 405 && reply.code == "METHOD_NOT_ALLOWED", "\(route.method) \(path): \(reply)")
            }
        }
    }
}
