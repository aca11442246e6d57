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
        #expect(!forwarded.toLocalClient, "a request never goes to the Unix socket's client")
        // From the Unix socket, every forwarding port.
        #expect(ManagementForwarding.forward(request, ingressPort: nil, snapshot: snapshot([.slave, .master]))?.ports == [1, 2])
    }

    @Test
    func aReplyFromTheNetworkGoesToTheLocalClientEvenWithNoOtherPort() throws {
        var reply = Requests.make(.get, .defaultDataSet, starting: 1, hops: 1)
        guard case .management(var body) = reply.body else {
            Issue.record("not management")
            return
        }
        body.action = .response
        reply.body = .management(body)
        let forwarded = try #require(ManagementForwarding.forward(reply, ingressPort: 1, snapshot: snapshot([.slave])))
        #expect(forwarded.ports.isEmpty && forwarded.toLocalClient)
        guard case .management(let out) = forwarded.message.body else { return }
        #expect(out.boundaryHops == 0)
        // With no hops left it stops here, as a request does.
        body.boundaryHops = 0
        reply.body = .management(body)
        #expect(ManagementForwarding.forward(reply, ingressPort: 1, snapshot: snapshot([.slave])) == nil)
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
