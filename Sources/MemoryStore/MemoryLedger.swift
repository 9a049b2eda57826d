import Foundation
import QueueCore

/// The whole queue in plain dictionaries: the in-memory store's tables, and a ledger the twin can run on directly.
public struct MemoryLedger: QueueLedger, Sendable {
    struct CounterKey: Hashable { var office: OfficeID; var counter: CounterID }
    struct NumberKey: Hashable { var office: OfficeID; var service: ServiceID; var date: LocalDate }
    struct IdempotencyKey: Hashable { var office: OfficeID; var scope: String; var key: String }
    struct PrintedKey: Hashable { var office: OfficeID; var date: LocalDate; var number: TicketNumber }

    var officeTable: [OfficeID: Office] = [:]
    var officeOrder: [OfficeID] = []
    var counters: [CounterKey: CounterState] = [:]
    var numbers: [NumberKey: Int] = [:]
    var tickets: [TicketID: Ticket] = [:]
    var byNumber: [PrintedKey: TicketID] = [:]
    var eventLog: [Event] = []
    var idempotency: [IdempotencyKey: IdempotencyRecord] = [:]
    var staff: [String: StaffAccount] = [:]
    var users: [String: StaffUser] = [:]
    var contactTable: [TicketID: [AlertChannel: Contact]] = [:]
    var outbox: [OutboxAlert] = []
    var linkCodes: [String: LinkCode] = [:]
    var guides: [TicketID: GuideAnswers] = [:]
    var webhookEvents: [String: Date] = [:]
    var serverKeys: [String: String] = [:]
    var lineRanks: [LineRank.Cell: Int] = [:]

    public init() {}

    // MARK: QueueReader

    public func offices() throws -> [Office] { officeOrder.compactMap { officeTable[$0] } }
    public func office(_ id: OfficeID) throws -> Office? { officeTable[id] }

    public func counterState(_ office: OfficeID, _ counter: CounterID) throws -> CounterState? {
        counters[CounterKey(office: office, counter: counter)]
    }

    public func counterStates(office: OfficeID) throws -> [CounterState] {
        counters.filter { $0.key.office == office }.map(\.value).sorted { $0.id < $1.id }
    }

    public func ticket(_ id: TicketID) throws -> Ticket? { tickets[id] }

    public func ticket(office: OfficeID, date: LocalDate, number: TicketNumber) throws -> Ticket? {
        byNumber[PrintedKey(office: office, date: date, number: number)].flatMap { tickets[$0] }
    }

    public func lineHeads(office: OfficeID, date: LocalDate, services: Set<ServiceID>) throws -> [Ticket] {
        Line.heads(of: tickets.values.lazy.filter { $0.office == office }, services: services, date: date)
    }

    public func waitingTickets(office: OfficeID, date: LocalDate) throws -> [Ticket] {
        tickets.values.filter { $0.office == office && $0.businessDate == date && $0.status == .waiting }
            .sorted(by: Line.listingOrder)
    }

    public func openTickets(office: OfficeID, before date: LocalDate) throws -> [Ticket] {
        tickets.values.filter {
            $0.office == office && $0.businessDate < date && ($0.status == .waiting || $0.holdsCounter)
        }.sorted { ($0.businessDate, $0.number.prefix, $0.number.sequence) < ($1.businessDate, $1.number.prefix, $1.number.sequence) }
    }

    public func lineRankSum(_ spans: [LineRank.Span]) throws -> Int {
        spans.reduce(0) { sum, span in
            sum + (span.from..<span.to).reduce(0) { $0 + (lineRanks[LineRank.Cell(line: span.line, level: span.level, bucket: $1)] ?? 0) }
        }
    }

    public func waitingTied(with ticket: Ticket) throws -> Int {
        let line = LineRank.Line(of: ticket)
        let q = LineRank.millis(ticket)
        return tickets.values.count {
            $0.status == .waiting && LineRank.Line(of: $0) == line && LineRank.millis($0) == q && Line.precedes($0, ticket)
        }
    }

    public func idempotencyRecord(office: OfficeID, scope: String, key: String) throws -> IdempotencyRecord? {
        idempotency[IdempotencyKey(office: office, scope: scope, key: key)]
    }

    public func events(office: OfficeID, date: LocalDate?, afterSeq: Int64, limit: Int) throws -> [Event] {
        let zone = officeTable[office]?.zone ?? TimeZone(identifier: "Asia/Tokyo")!
        let range = date?.interval(in: zone)
        return Array(
            eventLog.lazy.filter { (event: Event) -> Bool in
                guard event.office == office, event.seq > afterSeq else { return false }
                guard let range else { return true }
                return event.at >= range.start && event.at < range.end
            }.prefix(limit))
    }

    public func reforms(office: OfficeID) throws -> [Event] {
        eventLog.filter { $0.office == office && $0.type == .reformRecorded }
    }

    public func hasEvent(office: OfficeID, type: EventType, date: LocalDate) throws -> Bool {
        let zone = officeTable[office]?.zone ?? TimeZone(identifier: "Asia/Tokyo")!
        let range = date.interval(in: zone)
        return eventLog.contains { $0.office == office && $0.type == type && $0.at >= range.start && $0.at < range.end }
    }

    public func lastEventSeq(office: OfficeID) throws -> Int64 {
        eventLog.last { $0.office == office }?.seq ?? 0
    }

    public func staffAccount(tokenHash: String) throws -> StaffAccount? { staff[tokenHash] }
    public func staffAccounts() throws -> [StaffAccount] {
        staff.values.filter { !$0.name.hasPrefix("session:") }.sorted { ($0.createdAt, $0.tokenHash) < ($1.createdAt, $1.tokenHash) }
    }
    public func staffUser(username: String) throws -> StaffUser? { users[username] }
    public func staffUsers() throws -> [StaffUser] { users.values.sorted { $0.username < $1.username } }

    public func hasEvent(ticket: TicketID, type: EventType) throws -> Bool {
        eventLog.contains { $0.ticket == ticket && $0.type == type }
    }

    public func contacts(ticket: TicketID) throws -> [Contact] {
        (contactTable[ticket] ?? [:]).values.sorted { $0.channel.rawValue < $1.channel.rawValue }
    }

    public func guideAnswers(ticket: TicketID) throws -> GuideAnswers? { guides[ticket] }

    public func contactUses(channel: AlertChannel, address: String, date: LocalDate) throws -> Int {
        contactTable.values.count { $0[channel].map { $0.address == address && $0.businessDate == date } ?? false }
    }

    public func dueAlerts(now: Date, limit: Int) throws -> [OutboxAlert] {
        Array(outbox.lazy.filter { $0.isPending && $0.nextAttemptAt <= now }.prefix(limit))
    }

    public func alert(id: Int64) throws -> OutboxAlert? { outbox.first { $0.id == id } }

    // MARK: QueueLedger

    public mutating func save(office: Office) throws {
        if officeTable[office.id] == nil { officeOrder.append(office.id) }
        officeTable[office.id] = office
    }

    public mutating func nextNumber(office: OfficeID, service: ServiceID, date: LocalDate) throws -> Int {
        let key = NumberKey(office: office, service: service, date: date)
        let next = (numbers[key] ?? 0) + 1
        numbers[key] = next
        return next
    }

    public mutating func insert(_ ticket: Ticket) throws {
        tickets[ticket.id] = ticket
        byNumber[PrintedKey(office: ticket.office, date: ticket.businessDate, number: ticket.number)] = ticket.id
    }

    public mutating func update(_ ticket: Ticket, expecting expected: TicketStatus) throws {
        guard let stored = tickets[ticket.id] else { throw QueueError.ticketNotFound }
        guard stored.status == expected else { throw QueueError.invalidTransition(from: stored.status, action: "changed") }
        tickets[ticket.id] = ticket
    }

    public mutating func adjustLineRank(_ cells: [LineRank.Cell], by delta: Int) throws {
        for cell in cells { lineRanks[cell, default: 0] += delta }
    }

    public mutating func save(counter: CounterState, office: OfficeID) throws {
        counters[CounterKey(office: office, counter: counter.id)] = counter
    }

    public mutating func append(_ event: Event) throws -> Event {
        var stored = event
        stored.seq = (eventLog.last?.seq ?? 0) + 1
        eventLog.append(stored)
        return stored
    }

    public mutating func remember(_ record: IdempotencyRecord) throws {
        idempotency[IdempotencyKey(office: record.office, scope: record.scope, key: record.key)] = record
    }

    public mutating func deleteStaff(namePrefix: String, createdBefore cutoff: Date) throws -> Int {
        let gone = staff.filter { $0.value.name.hasPrefix(namePrefix) && $0.value.createdAt < cutoff }.map(\.key)
        for key in gone { staff[key] = nil }
        return gone.count
    }

    public mutating func deleteStaff(tokenHash: String) throws -> Int {
        staff.removeValue(forKey: tokenHash) == nil ? 0 : 1
    }

    public mutating func deleteStaff(name: String) throws -> Int {
        let gone = staff.filter { $0.value.name == name }.map(\.key)
        for key in gone { staff[key] = nil }
        return gone.count
    }

    public mutating func deleteUser(username: String) throws -> Int {
        users.removeValue(forKey: username) == nil ? 0 : 1
    }

    public mutating func insert(user: StaffUser) throws {
        guard users[user.username] == nil else { throw QueueError.invalidInput(field: "username", reason: "taken") }
        users[user.username] = user
    }

    public mutating func insert(staff account: StaffAccount) throws {
        staff[account.tokenHash] = account
    }

    public mutating func save(contact: Contact) throws {
        contactTable[contact.ticket, default: [:]][contact.channel] = contact
    }

    public mutating func deleteContact(ticket: TicketID, channel: AlertChannel) throws {
        contactTable[ticket]?[channel] = nil
    }

    public mutating func save(guideAnswers: GuideAnswers) throws {
        guides[guideAnswers.ticket] = guideAnswers
    }

    public mutating func enqueue(_ alert: OutboxAlert) throws -> Bool {
        guard
            !outbox.contains(where: {
                $0.ticket == alert.ticket && $0.kind == alert.kind && $0.round == alert.round && $0.channel == alert.channel
            })
        else { return false }
        var stored = alert
        stored.id = (outbox.last?.id ?? 0) + 1
        outbox.append(stored)
        return true
    }

    public mutating func claimAlerts(now: Date, until: Date, limit: Int) throws -> [OutboxAlert] {
        var claimed: [OutboxAlert] = []
        for i in outbox.indices where claimed.count < limit && outbox[i].isPending && outbox[i].nextAttemptAt <= now {
            outbox[i].nextAttemptAt = until
            claimed.append(outbox[i])
        }
        return claimed
    }

    public mutating func record(alert id: Int64, attempts: Int, outcome: AlertOutcome, at: Date) throws -> Bool {
        guard let i = outbox.firstIndex(where: { $0.id == id }), outbox[i].isPending else { return false }
        outbox[i].attempts = attempts
        switch outcome {
        case .sent: outbox[i].sentAt = at
        case .retry(let next, let error): (outbox[i].nextAttemptAt, outbox[i].lastError) = (next, error)
        case .failed(let error): (outbox[i].failedAt, outbox[i].lastError) = (at, error)
        }
        return true
    }

    public mutating func purgeContacts(office: OfficeID, before date: LocalDate) throws -> Int {
        var gone = 0
        for (ticket, byChannel) in contactTable {
            let old = byChannel.values.filter { $0.office == office && $0.businessDate < date }
            gone += old.count
            for contact in old { contactTable[ticket]?[contact.channel] = nil }
            if contactTable[ticket]?.isEmpty == true { contactTable[ticket] = nil }
        }
        outbox.removeAll { $0.office == office && $0.businessDate < date }
        let kept = guides.filter { !($0.value.office == office && $0.value.businessDate < date) }
        gone += guides.count - kept.count
        guides = kept
        return gone
    }

    public mutating func serverKey(_ name: String, candidate: String) throws -> String {
        if let kept = serverKeys[name] { return kept }
        serverKeys[name] = candidate
        return candidate
    }

    public mutating func save(linkCode: LinkCode) throws { linkCodes[linkCode.code] = linkCode }

    public mutating func takeLinkCode(_ code: String) throws -> LinkCode? { linkCodes.removeValue(forKey: code) }

    public mutating func firstSight(webhookEvent id: String, at: Date) throws -> Bool {
        guard webhookEvents[id] == nil else { return false }
        webhookEvents[id] = at
        return true
    }

    public mutating func purgeLinks(office: OfficeID, before date: LocalDate, webhookEventsBefore cutoff: Date) throws {
        linkCodes = linkCodes.filter { !($0.value.office == office && $0.value.businessDate < date) }
        lineRanks = lineRanks.filter { !($0.key.line.office == office && $0.key.line.date < date && $0.value == 0) }
        webhookEvents = webhookEvents.filter { $0.value >= cutoff }
        idempotency = idempotency.filter {
            !($0.key.office == office && (tickets[$0.value.ticket]?.businessDate).map { $0 < date } == true)
        }
    }
}
