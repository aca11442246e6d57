import PTPCore

extension InstanceEngine {
    /// Shutdown: every port with a unicast master table cancels the grants it holds (IEEE 1588-2019 16.1.4.3,
    /// linuxptp `port_cancel_unicast`), so its masters stop sending at once rather than when the grants lapse.
    public mutating func cancelUnicastService(into actions: inout [InstanceAction]) {
        for index in ports.indices where ports[index].unicastClientEnabled {
            var portActions: [PortAction] = []
            ports[index].cancelUnicastService(into: &portActions)
            actions += portActions.map { .port(index, $0) }
        }
    }
}
