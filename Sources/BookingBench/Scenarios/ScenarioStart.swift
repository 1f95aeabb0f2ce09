/// What every scenario starts with: a connection to the API for setting up and checking, a fresh
/// tag for the user ids it makes up, and an event of its own.
struct ScenarioStart: Sendable {
    let api: APIClient
    let tag: String
    let eventID: Int

    static func open(_ scenario: String, seats: Int, load: LoadOptions) async throws -> ScenarioStart {
        let api = try await APIClient.connect(to: load.target, adminToken: load.adminToken)
        do {
            let tag = RunTag.make()
            let eventID = try await api.createEvent(name: "\(scenario) \(tag)", totalSeats: seats)
            return ScenarioStart(api: api, tag: tag, eventID: eventID)
        } catch {
            api.close()
            throw error
        }
    }
}
