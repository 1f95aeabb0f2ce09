import StrictJSON
/// Turns a request body into its top-level JSON object, with 400-ready errors.
enum RequestBody {
    static func object(from body: some Collection<UInt8>) throws(ValidationError) -> [String: JSONValue] {
        let value: JSONValue
        do throws(JSONParseError) {
            value = try JSONParser.parse(body)
        } catch {
            throw ValidationError(field: nil, message: "request body is not valid JSON: \(error.description)")
        }
        guard case .object(let members) = value else {
            throw ValidationError(field: nil, message: "request body must be a JSON object")
        }
        return members
    }
}
