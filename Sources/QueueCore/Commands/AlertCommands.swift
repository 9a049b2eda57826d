import Foundation

/// The commands of alerts to citizens: contacts, the "come now" mark, link codes, staff cancel, retention. The
/// outbox rows themselves are written by `apply` (and `markComeNow`) through `enqueueAlerts`, in the transaction
/// of the change that causes them.
extension QueueCommands {
    /// The wait estimate says the holder of this remote ticket should set out now: a `ticket.come_now` event and
    /// the alert on each of its channels, once a day per ticket. Nothing when the ticket no longer waits or was
    /// already marked (two nodes may decide it at once).
    public func markComeNow(ticket id: TicketID, in ledger: inout some QueueLedger) throws -> CommandResult<Bool> {
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        guard ticket.status == .waiting, try !ledger.hasEvent(ticket: id, type: .ticketComeNow) else {
            return CommandResult(value: false, events: [], created: false)
        }
        let office = try requireOffice(ticket.office, in: ledger)
        let event = try ledger.append(Event(.ticketComeNow, ticket: ticket, at: now(), zone: office.zone))
        try enqueueAlerts(for: event, ticket: ticket, office: office, in: &ledger)
        return CommandResult(value: true, events: [event])
    }

    /// Adds (or replaces) how to reach the holder of a ticket on one channel, for the ticket's business day. A
    /// ticket already due to "come now" is alerted on the new channel at once.
    public func addContact(
        ticket id: TicketID, channel: AlertChannel, address: String, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Contact> {
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        let address = try Contact.checked(channel: channel, address: address)
        try requireAlertable(ticket, "given a contact")
        // An address anyone can type (a phone number, an e-mail address) serves a few tickets a day at most, so the
        // city's alerts cannot be turned on a stranger; replacing the ticket's own contact does not count.
        if channel == .email || channel == .gateway,
            try ledger.contacts(ticket: id).first(where: { $0.channel == channel })?.address != address,
            try ledger.contactUses(channel: channel, address: address, date: ticket.businessDate) >= Contact.maxTicketsPerAddress
        {
            throw QueueError.invalidInput(field: "address", reason: "already given for \(Contact.maxTicketsPerAddress) tickets today")
        }
        let office = try requireOffice(ticket.office, in: ledger)
        let contact = Contact(
            ticket: id, office: ticket.office, businessDate: ticket.businessDate, channel: channel, address: address, createdAt: now())
        try ledger.save(contact: contact)
        if ticket.status == .waiting, try ledger.hasEvent(ticket: id, type: .ticketComeNow) {
            _ = try ledger.enqueue(alert(.comeNow, round: 0, ticket: ticket, counter: nil, channel: channel, office: office))
        }
        return CommandResult(value: contact, events: [])
    }

    /// Forgets the holder's contact on one channel ("stop alerts"); pending alerts to it then fail unsent.
    public func removeContact(ticket id: TicketID, channel: AlertChannel, in ledger: inout some QueueLedger) throws {
        guard try ledger.ticket(id) != nil else { throw QueueError.ticketNotFound }
        try ledger.deleteContact(ticket: id, channel: channel)
    }

    /// Staff cancel a ticket (the procedure cannot be done today, a duplicate): `ticket.cancelled` with the staff
    /// account, and the holder is alerted.
    public func cancelByOffice(
        office id: OfficeID, number: TicketNumber, by staff: String, in ledger: inout some QueueLedger
    ) throws -> CommandResult<Ticket> {
        let office = try requireOffice(id, in: ledger)
        let today = LocalDate(now(), in: office.zone)
        guard let ticket = try ledger.ticket(office: id, date: today, number: number) else { throw QueueError.ticketNotFound }
        return try apply(.cancel, to: ticket, office: office, by: staff, in: &ledger)
    }

    /// The retention rule: every contact, outbox alert, link code and idempotency key of the office's earlier
    /// business days goes, and webhook event ids older than a day (LINE redelivers within hours).
    public func purgeContacts(office id: OfficeID, in ledger: inout some QueueLedger) throws -> Int {
        let office = try requireOffice(id, in: ledger)
        let today = LocalDate(now(), in: office.zone)
        try ledger.purgeLinks(office: id, before: today, webhookEventsBefore: now().addingTimeInterval(-86_400))
        return try ledger.purgeContacts(office: id, before: today)
    }

    /// A fresh one-time code that links a `channel` account to the ticket (LINE: the holder sends it to the city's
    /// account, whose webhook then calls `redeem`).
    public func newLinkCode(ticket id: TicketID, channel: AlertChannel, in ledger: inout some QueueLedger) throws -> LinkCode {
        guard let ticket = try ledger.ticket(id) else { throw QueueError.ticketNotFound }
        try requireAlertable(ticket, "linked")
        let code = LinkCode(
            code: LinkCode.random(), ticket: id, office: ticket.office, businessDate: ticket.businessDate, channel: channel)
        try ledger.save(linkCode: code)
        return code
    }

    /// A webhook event from a channel provider: nothing when its id was seen before (a redelivery); otherwise, when
    /// its text carries a link code, the sender's address becomes the ticket's contact. Returns the linked contact.
    public func redeem(
        webhookEvent id: String, text: String?, address: String, in ledger: inout some QueueLedger
    ) throws -> Contact? {
        guard try ledger.firstSight(webhookEvent: id, at: now()) else { return nil }
        guard let code = text.flatMap(LinkCode.find(in:)), let link = try ledger.takeLinkCode(code) else { return nil }
        return try addContact(ticket: link.ticket, channel: link.channel, address: address, in: &ledger).value
    }

    /// A one-time credential (the SHA-256 of a LINE ID token) presented: true the first time, false after, so a
    /// captured token cannot be exchanged twice. Kept with the webhook event ids, and purged with them after a day
    /// (`LineLogin` refuses tokens that live longer).
    public func firstUse(credential digest: String, in ledger: inout some QueueLedger) throws -> Bool {
        try ledger.firstSight(webhookEvent: "credential:\(digest)", at: now())
    }

    /// Only a ticket still waiting or called can be alerted; a finished ticket (or a no-show) gets no new contact.
    private func requireAlertable(_ ticket: Ticket, _ action: String) throws {
        guard ticket.status == .waiting || ticket.status == .called else {
            throw QueueError.invalidTransition(from: ticket.status, action: action)
        }
    }

    /// One outbox alert per contact of the ticket for an event that alerts (`AlertKind(causedBy:)`), in the
    /// event's transaction.
    func enqueueAlerts(for event: Event, ticket: Ticket, office: Office, in ledger: inout some QueueLedger) throws {
        guard let kind = AlertKind(causedBy: event) else { return }
        for contact in try ledger.contacts(ticket: ticket.id) {
            _ = try ledger.enqueue(
                alert(
                    kind, round: kind == .comeNow ? 0 : event.seq, ticket: ticket, counter: event.counter ?? ticket.counter,
                    channel: contact.channel, office: office))
        }
    }

    private func alert(
        _ kind: AlertKind, round: Int64, ticket: Ticket, counter: CounterID?, channel: AlertChannel, office: Office
    ) -> OutboxAlert {
        OutboxAlert(
            ticket: ticket.id, office: office.id, businessDate: ticket.businessDate, kind: kind, round: round, channel: channel,
            number: ticket.number, counterLabel: counter.flatMap { office.counter($0)?.label }, language: ticket.language,
            createdAt: now())
    }
}
