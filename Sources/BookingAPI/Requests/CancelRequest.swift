/// Who asks to cancel, for `DELETE /api/bookings/{booking_id}`: `user_id` from the body
/// `{"user_id": "u"}`, from the query `?user_id=u`, or both when they agree byte for byte; or
/// neither (the token mode then cancels for the token's subject).
public struct CancelRequest: Hashable, Sendable {
    public var userID: String?

    public init(userID: String?) {
        self.userID = userID
    }

    /// - Parameters:
    ///   - body: the request body; zero bytes means "no body". Anything else must be a JSON
    ///     object (whitespace alone is not JSON), whose `user_id` is optional.
    ///   - queryUserID: the already percent-decoded `user_id` query value, if given.
    public init(body: some Collection<UInt8>, queryUserID: String?) throws(ValidationError) {
        var bodyUserID: String?
        if !body.isEmpty {
            let members = try RequestBody.object(from: body)
            if let json = members["user_id"] {
                bodyUserID = try Validate.userID(from: json)
            }
        }
        let checkedQueryUserID = try queryUserID.map { value throws(ValidationError) in try Validate.userID(value) }

        switch (bodyUserID, checkedQueryUserID) {
        case (nil, nil):
            self.userID = nil
        case (let fromBody?, let fromQuery?):
            guard fromBody.utf8.elementsEqual(fromQuery.utf8) else {
                throw ValidationError(field: "user_id", message: "user_id in the body and in the query must be the same")
            }
            self.userID = fromBody
        case (let fromBody?, nil):
            self.userID = fromBody
        case (nil, let fromQuery?):
            self.userID = fromQuery
        }
    }
}
