import PTPCore
import PTPEngine
import PTPServo
import PTPSimulation
import Testing

@Suite struct ScenarioRunnerTests {
    @Test(arguments: [Topology.pair, .chain, .tree, .ring])
    func everyTopologyLocks(_ topology: Topology) {
        var options = ScenarioOptions()
        options.topology = topology
        options.depth = 3
        options.clocks = 10
        options.duration = 60
        options.logSyncInterval = -3
        let result = ScenarioRunner.run(options)
        #expect(result.clocks.dropFirst().allSatisfy { $0.servoState == .locked })
        #expect(result.clocks.dropFirst().allSatisfy { $0.maxOffset < 2_000 })
        #expect(result.clocks.first?.portStates.allSatisfy { $0 == .master } == true)
        #expect(result.report.contains("locked \(result.clocks.count - 1) of \(result.clocks.count - 1)"))
    }

    @Test func treeShape() {
        var options = ScenarioOptions()
        options.topology = .tree
        options.clocks = 13
        options.fanout = 3
        let network = ScenarioRunner.network(for: options)
        #expect(network.clocks.count == 13)
        #expect(network.segments.count == 12)
    }
}
