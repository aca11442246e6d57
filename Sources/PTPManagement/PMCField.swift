/// One named field of a printed response.
public struct PMCField: Sendable, Hashable {
    public var name: String
    public var value: PMCValue

    public init(_ name: String, _ value: PMCValue) {
        self.name = name
        self.value = value
    }
}
