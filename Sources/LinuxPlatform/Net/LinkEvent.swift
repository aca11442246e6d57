/// A change of an interface's link: administratively up and carrier present, or not.
public struct LinkEvent: Sendable, Hashable, CustomStringConvertible {
    public var interfaceName: String
    public var interfaceIndex: Int32
    /// `IFF_UP` and `IFF_RUNNING` (carrier) both set.
    public var isUp: Bool

    public init(interfaceName: String, interfaceIndex: Int32, isUp: Bool) {
        self.interfaceName = interfaceName
        self.interfaceIndex = interfaceIndex
        self.isUp = isUp
    }

    public var description: String { "\(interfaceName): link \(isUp ? "up" : "down")" }
}
