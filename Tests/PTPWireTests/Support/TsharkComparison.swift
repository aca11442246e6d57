import PTPCore

@testable import PTPWire

/// Compares a decoded message with tshark's dissection of the same bytes and lists every disagreement.
enum TsharkComparison {
    static func mismatches(_ message: PTPMessage, _ fields: TsharkFields) -> [String] {
        var problems: [String] = []
        func check(_ name: String, _ ours: Int64) {
            guard let theirs = fields.int(name) else {
                problems.append("\(name): tshark shows no value (ours \(ours))")
                return
            }
            if theirs != ours { problems.append("\(name): tshark \(theirs), ours \(ours)") }
        }
        let h = message.header
        check("ptp.v2.majorsdoid", Int64(h.majorSdoId))
        check("ptp.v2.messagetype", Int64(h.messageType.rawValue))
        check("ptp.v2.minorversionptp", Int64(h.minorVersionPTP))
        check("ptp.v2.versionptp", Int64(h.versionPTP))
        check("ptp.v2.messagelength", Int64(h.messageLength))
        check("ptp.v2.domainnumber", Int64(h.domainNumber))
        check("ptp.v2.minorsdoid", Int64(h.minorSdoId))
        check("ptp.v2.flags", Int64(h.flags.rawValue))
        // tshark shows the nanoseconds as an unsigned 64-bit pattern and the sub-nanoseconds as a fraction
        // (0 in linuxptp's captures; e.g. 0.0997467041015625 for 6537/65536).
        let ns = fields["ptp.v2.correction.ns"].flatMap { UInt64($0) }.map { Int64(bitPattern: $0) }
        if ns != h.correctionField.rawValue >> 16 {
            problems.append("ptp.v2.correction.ns: tshark \(String(describing: ns)), ours \(h.correctionField.rawValue >> 16)")
        }
        let subns = fields["ptp.v2.correction.subns"].flatMap { Double($0) }.map { Int64(($0 * 65_536).rounded()) }
        if subns != h.correctionField.rawValue & 0xFFFF {
            problems.append(
                "ptp.v2.correction.subns: tshark \(String(describing: subns)), ours \(h.correctionField.rawValue & 0xFFFF)")
        }
        check("ptp.v2.messagetypespecific", Int64(h.messageTypeSpecific))
        check("ptp.v2.clockidentity", Int64(bitPattern: h.sourcePortIdentity.clockIdentity.rawValue))
        check("ptp.v2.sourceportid", Int64(h.sourcePortIdentity.portNumber))
        check("ptp.v2.sequenceid", Int64(h.sequenceId))
        check("ptp.v2.controlfield", Int64(h.controlField))
        check("ptp.v2.logmessageperiod", Int64(h.logMessageInterval))
        let flagBits: [(String, PTPFlags)] = [
            ("ptp.v2.flags.alternatemaster", .alternateMaster), ("ptp.v2.flags.twostep", .twoStep),
            ("ptp.v2.flags.unicast", .unicast), ("ptp.v2.flags.specific1", .profileSpecific1),
            ("ptp.v2.flags.specific2", .profileSpecific2), ("ptp.v2.flags.li61", .leap61),
            ("ptp.v2.flags.li59", .leap59), ("ptp.v2.flags.utcreasonable", .currentUtcOffsetValid),
            ("ptp.v2.flags.timescale", .ptpTimescale), ("ptp.v2.flags.timetraceable", .timeTraceable),
            ("ptp.v2.flags.frequencytraceable", .frequencyTraceable),
            ("ptp.v2.flags.synchronizationUncertain", .synchronizationUncertain),
        ]
        for (name, flag) in flagBits { check(name, h.flags.contains(flag) ? 1 : 0) }

        func checkTimestamp(_ prefix: String, _ t: WireTimestamp) {
            check(prefix + ".seconds", Int64(t.secondsField))
            check(prefix + ".nanoseconds", Int64(t.nanosecondsField))
        }
        func checkPort(_ identity: String, _ number: String, _ port: PortIdentity) {
            check(identity, Int64(bitPattern: port.clockIdentity.rawValue))
            check(number, Int64(port.portNumber))
        }
        switch message.body {
        case .sync(let b), .delayReq(let b):
            checkTimestamp("ptp.v2.sdr.origintimestamp", b.originTimestamp)
        case .followUp(let b):
            checkTimestamp("ptp.v2.fu.preciseorigintimestamp", b.preciseOriginTimestamp)
        case .delayResp(let b):
            checkTimestamp("ptp.v2.dr.receivetimestamp", b.receiveTimestamp)
            checkPort("ptp.v2.dr.requestingsourceportidentity", "ptp.v2.dr.requestingsourceportid", b.requestingPortIdentity)
        case .pdelayReq(let b):
            checkTimestamp("ptp.v2.pdrq.origintimestamp", b.originTimestamp)
        case .pdelayResp(let b):
            checkTimestamp("ptp.v2.pdrs.requestreceipttimestamp", b.timestamp)
            checkPort("ptp.v2.pdrs.requestingportidentity", "ptp.v2.pdrs.requestingsourceportid", b.requestingPortIdentity)
        case .pdelayRespFollowUp(let b):
            checkTimestamp("ptp.v2.pdfu.responseorigintimestamp", b.timestamp)
            checkPort("ptp.v2.pdfu.requestingportidentity", "ptp.v2.pdfu.requestingsourceportid", b.requestingPortIdentity)
        case .announce(let b):
            checkTimestamp("ptp.v2.an.origintimestamp", b.originTimestamp)
            check("ptp.v2.an.origincurrentutcoffset", Int64(b.currentUtcOffset))
            check("ptp.v2.an.priority1", Int64(b.grandmasterPriority1))
            check("ptp.v2.an.grandmasterclockclass", Int64(b.grandmasterClockQuality.clockClass))
            check("ptp.v2.an.grandmasterclockaccuracy", Int64(b.grandmasterClockQuality.clockAccuracy.rawValue))
            check("ptp.v2.an.grandmasterclockvariance", Int64(b.grandmasterClockQuality.offsetScaledLogVariance))
            check("ptp.v2.an.priority2", Int64(b.grandmasterPriority2))
            check("ptp.v2.an.grandmasterclockidentity", Int64(bitPattern: b.grandmasterIdentity.rawValue))
            check("ptp.v2.an.localstepsremoved", Int64(b.stepsRemoved))
            check("ptp.v2.timesource", Int64(b.timeSource.rawValue))
        case .signaling(let b):
            checkPort("ptp.v2.sig.targetportidentity", "ptp.v2.sig.targetportid", b.targetPortIdentity)
            // tshark's JSON keeps the last TLV's fields when there are several.
            if let last = message.tlvs.last {
                check("ptp.v2.sig.tlv.tlvType", Int64(last.tlvType.rawValue))
                switch last {
                case .requestUnicastTransmission(let t), .grantUnicastTransmission(let t):
                    check("ptp.v2.sig.tlv.messageType", Int64(t.messageType))
                    check("ptp.v2.sig.tlv.logInterMessagePeriod", Int64(t.logInterMessagePeriod))
                    check("ptp.v2.sig.tlv.durationField", Int64(t.duration))
                    if case .grantUnicastTransmission = last {
                        check("ptp.v2.sig.tlv.renewalInvited", t.renewalInvited ? 1 : 0)
                    }
                case .cancelUnicastTransmission(let t), .acknowledgeCancelUnicastTransmission(let t):
                    check("ptp.v2.sig.tlv.messageType", Int64(t.messageType))
                default:
                    break
                }
            }
        case .management(let b):
            checkPort("ptp.v2.mm.targetportidentity", "ptp.v2.mm.targetportid", b.targetPortIdentity)
            check("ptp.v2.mm.startingboundaryhops", Int64(b.startingBoundaryHops))
            check("ptp.v2.mm.boundaryhops", Int64(b.boundaryHops))
            check("ptp.v2.mm.action", Int64(b.action.rawValue))
            if let tlv = message.tlvs.first {
                check("ptp.v2.mm.tlvType", Int64(tlv.tlvType.rawValue))
                switch tlv {
                case .management(let m):
                    check("ptp.v2.mm.managementId", Int64(m.managementId.rawValue))
                    check("ptp.v2.mm.lengthField", Int64(2 + m.data.count))
                case .managementErrorStatus(let e):
                    check("ptp.v2.mm.managementErrorId", Int64(e.managementErrorId.rawValue))
                    check("ptp.v2.mm.managementId", Int64(e.managementId.rawValue))
                default:
                    break
                }
            }
        }
        return problems
    }
}
