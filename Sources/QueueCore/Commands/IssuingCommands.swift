import Foundation

/// 受付終了: which procedures take new tickets today.
extension QueueCommands {
    /// 受付終了: stops (or resumes) issuing tickets for today for `services` (every procedure when nil). Tickets
    /// already issued are served; the next day the procedures issue again by themselves. Returns the office.
    public func setIssuing(
        office id: OfficeID, services: [ServiceID]?, stopped: Bool, by staff: String?, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Office> {
        var office = try requireOffice(id, in: ledger)
        let today = LocalDate(now(), in: office.zone)
        let wanted = Set(services ?? office.procedures.map(\.id))
        for service in wanted where office.procedure(service) == nil { throw QueueError.serviceNotFound(service) }
        var changed: [ServiceID] = []
        for i in office.procedures.indices where wanted.contains(office.procedures[i].id) {
            let was = office.procedures[i].stoppedOn == today
            guard was != stopped else { continue }
            office.procedures[i].stoppedOn = stopped ? today : nil
            changed.append(office.procedures[i].id)
        }
        guard !changed.isEmpty else { return CommandResult(value: office, events: [], created: false) }
        try ledger.save(office: office)
        var data = Self.audit(staff)
        data.merge(Payload.procedures(changed, businessDate: today)) { own, _ in own }
        let instant = now()
        let event = try ledger.append(
            Event(
                at: instant, utcOffsetSeconds: office.zone.secondsFromGMT(for: instant), office: id,
                type: stopped ? .issuingStopped : .issuingResumed, data: data))
        return CommandResult(value: office, events: [event])
    }
}
