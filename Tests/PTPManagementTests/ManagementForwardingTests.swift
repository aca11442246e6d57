import MeridianTestSupport
import PTPCore
import PTPManagement
import PTPWire
import Testing

struct ManagementForwardingTests {
    func snapshot(_ states: [PortState]) -> ManagementSnapshot {
        var snapshot = ExampleSnapshot.snapshot(ports: states.count)
        for (index, state) in states.enumerated() { snapshot.ports[index].portDS.portState = state }
        return snapshot
    }

    @Test
    func forwardsOutOfOtherForwardingPortsWithOneHopLess() throws {
        let request = Requests.make(.get, .defaultDataSet, starting: 3, hops: 2)
        let forwarded = try #require(
            ManagementForwarding.forward(request, ingressPort: 1, snapshot: snapshot([.slave, .master, .listening, .master])))
        #expect(forwarded.ports == [2, 4])
        guard case .management(let body) = forwarded.message.body else {
            Issue.record("not management")
            return
        }
        #expect(body.boundaryHops == 1 && body.startingBoundaryHops == 3)
        #expect(forwarded.message.header == request.header)
        // From the Unix socket, every forwarding port.
        #expect(ManagementForwarding.forward(request, ingressPort: nil, snapshot: snapshot([.slave, .master]))?.ports == [1, 2])
    }

    @Test
    func stopsAtZeroHopsAndAtPortsThatDoNotForward() {
        let states: [PortState] = [.master, .master]
        #expect(
            ManagementForwarding.forward(Requests.make(.get, .priority1, hops: 0), ingressPort: 1, snapshot: snapshot(states))
                == nil)
        #expect(
            ManagementForwarding.forward(
                Requests.make(.get, .priority1, hops: 1), ingressPort: 1, snapshot: snapshot([.listening, .master])) == nil)
        #expect(
            ManagementForwarding.forward(
                Requests.make(.get, .priority1, hops: 1), ingressPort: 1, snapshot: snapshot([.master, .disabled])) == nil)
        #expect(
            ManagementForwarding.forward(
                Requests.make(.get, .priority1, hops: 1), ingressPort: 9, snapshot: snapshot(states)) == nil)
    }
}
