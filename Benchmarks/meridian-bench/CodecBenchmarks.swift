import CAllocationCounter
import PTPCore
import PTPWire

/// Decodes and encodes a message of each type many times, and reports messages per second on one core
/// and heap allocations per message (counted by interposing malloc in this process).
func runCodecBenchmarks(iterations: Int) {
    print("== Codec (one core, release build) ==")
    print(pad("message", 24) + pad("decode/s", 14) + pad("allocs/decode", 15) + pad("encode/s", 14) + "allocs/encode")
    var checksum: UInt64 = 0
    for message in sampleMessages() {
        let bytes = message.encoded()
        // Decode from a borrowed buffer, as the daemon does with its receive buffer.
        let (decodeRate, decodeAllocations) = bytes.withUnsafeBytes { raw in
            measure(iterations) {
                if let decoded = try? PTPMessage.decode(raw) {
                    checksum &+= UInt64(decoded.header.sequenceId)
                }
            }
        }
        // Encode into a buffer reused between messages, as a port does with its transmit buffer.
        var writer = WireWriter(capacity: 256)
        let (encodeRate, encodeAllocations) = measure(iterations) {
            writer.bytes.removeAll(keepingCapacity: true)
            message.encode(into: &writer)
            checksum &+= UInt64(writer.bytes.count)
        }
        print(
            pad(message.messageType.description + (message.tlvs.isEmpty ? "" : " +TLV"), 24)
                + pad(format(decodeRate), 14) + pad(format(decodeAllocations, digits: 2), 15)
                + pad(format(encodeRate), 14) + format(encodeAllocations, digits: 2))
    }
    print("(checksum \(checksum))\n")
}

/// Runs `body` `iterations` times; returns calls per second and heap allocations per call.
func measure(_ iterations: Int, _ body: () -> Void) -> (perSecond: Double, allocations: Double) {
    for _ in 0..<min(iterations, 10_000) { body() }  // warm up
    let clock = ContinuousClock()
    let allocationsBefore = meridian_allocation_count()
    let start = clock.now
    for _ in 0..<iterations { body() }
    let elapsed = clock.now - start
    let allocations = meridian_allocation_count() - allocationsBefore
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    return (Double(iterations) / max(seconds, 1e-9), Double(allocations) / Double(iterations))
}

/// One message of each type with linuxptp-like contents.
func sampleMessages() -> [PTPMessage] {
    let source = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0x7699_27FF_FE71_C27A), portNumber: 1)
    let requester = PortIdentity(clockIdentity: ClockIdentity(rawValue: 0xC20B_0CFF_FE78_8E29), portNumber: 1)
    let stamp = WireTimestamp(secondsField: 1_795_221_137, nanosecondsField: 129_259)
    func header(_ type: MessageType, _ interval: Int8 = -4) -> PTPHeader {
        PTPHeader(
            messageType: type, sourcePortIdentity: source, sequenceId: 4242,
            flags: type == .sync ? .twoStep : [], correctionField: ScaledNanoseconds(rawValue: 1_234 << 16),
            logMessageInterval: interval)
    }
    let announce = AnnounceBody(
        originTimestamp: stamp, currentUtcOffset: 37, grandmasterPriority1: 128,
        grandmasterClockQuality: ClockQuality(clockClass: 6, clockAccuracy: .within100ns, offsetScaledLogVariance: 0x4E5D),
        grandmasterPriority2: 128, grandmasterIdentity: source.clockIdentity, stepsRemoved: 0, timeSource: .gnss)
    return [
        PTPMessage(header: header(.sync), body: .sync(OriginTimestampBody(originTimestamp: .zero))),
        PTPMessage(header: header(.delayReq, 0x7F), body: .delayReq(OriginTimestampBody(originTimestamp: .zero))),
        PTPMessage(header: header(.followUp), body: .followUp(FollowUpBody(preciseOriginTimestamp: stamp))),
        PTPMessage(
            header: header(.delayResp, 0),
            body: .delayResp(DelayRespBody(receiveTimestamp: stamp, requestingPortIdentity: requester))),
        PTPMessage(header: header(.pdelayReq, 0), body: .pdelayReq(PdelayReqBody(originTimestamp: .zero))),
        PTPMessage(
            header: header(.pdelayResp, 0x7F),
            body: .pdelayResp(PdelayResponseBody(timestamp: stamp, requestingPortIdentity: requester))),
        PTPMessage(
            header: header(.pdelayRespFollowUp, 0x7F),
            body: .pdelayRespFollowUp(PdelayResponseBody(timestamp: stamp, requestingPortIdentity: requester))),
        PTPMessage(header: header(.announce, 0), body: .announce(announce)),
        PTPMessage(header: header(.announce, 0), body: .announce(announce), tlvs: [.pathTrace([source.clockIdentity])]),
        PTPMessage(
            header: header(.signaling, 0x7F), body: .signaling(SignalingBody(targetPortIdentity: .all)),
            tlvs: [.requestUnicastTransmission(UnicastTransmissionTLV(messageType: 0, logInterMessagePeriod: -4, duration: 300))]),
        PTPMessage(
            header: header(.management, 0x7F),
            body: .management(ManagementBody(targetPortIdentity: .all, startingBoundaryHops: 0, boundaryHops: 0, action: .get)),
            tlvs: [.management(ManagementTLV(managementId: .currentDataSet))]),
    ]
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

func format(_ value: Double, digits: Int = 0) -> String {
    if digits == 0 {
        let rounded = Int(value.rounded())
        var text = String(rounded)
        var index = text.count - 3
        while index > 0 {
            text.insert(",", at: text.index(text.startIndex, offsetBy: index))
            index -= 3
        }
        return text
    }
    let scale = Double(Int(pow10(digits)))
    let scaled = Int((value * scale).rounded())
    let whole = scaled / Int(scale)
    var fraction = String(scaled % Int(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return "\(whole).\(fraction)"
}

private func pow10(_ n: Int) -> Double {
    var value = 1.0
    for _ in 0..<n { value *= 10 }
    return value
}
