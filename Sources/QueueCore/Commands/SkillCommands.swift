import Foundation

extension QueueCommands {
    /// A supervisor changes what a counter serves for the rest of the business day (the 60-minute guard's "switch
    /// skills": an experienced member of staff takes the long line too). `counter.skills_changed` records the new
    /// set; tomorrow the counter serves its configured procedures again. Procedures must be the office's, at least
    /// one, no repeats.
    public func setSkills(
        office id: OfficeID, counter counterID: CounterID, services: [ServiceID], by staff: String,
        in ledger: inout some QueueLedger
    ) throws -> CommandResult<CounterState> {
        let office = try requireOffice(id, in: ledger)
        guard office.counter(counterID) != nil else { throw QueueError.counterNotFound(counterID) }
        guard !services.isEmpty, Set(services).count == services.count else {
            throw QueueError.invalidInput(field: "services", reason: "at least one procedure, none twice")
        }
        if let unknown = services.first(where: { office.procedure($0) == nil }) { throw QueueError.serviceNotFound(unknown) }
        let state = try ledger.counterState(id, counterID) ?? CounterState(id: counterID)
        let at = now()
        let today = LocalDate(at, in: office.zone)
        let event = try ledger.append(
            Event(
                at: at, utcOffsetSeconds: office.zone.secondsFromGMT(for: at), office: id, type: .counterSkillsChanged, counter: counterID,
                data: Self.audit(staff).merging(Payload.procedures(services, businessDate: today)) { a, _ in a }))
        let next = state.evolved(by: event)
        try ledger.save(counter: next, office: id)
        return CommandResult(value: next, events: [event])
    }
}
