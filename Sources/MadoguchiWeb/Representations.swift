import Forecast
import Foundation
import OfficeRuntime
import QueueCore

/// A ticket as the API shows it; Codable, since the tests (like any Swift client) read replies with it. `position`
/// and `estimate` are null unless the ticket waits. The estimate is the live twin estimate (`estimateMethod`
/// "twin") once the hub has made one, else the queue-length formula ("queue-length"). `comeNow` is true once a
/// remote ticket with a travel time should set out; `comeNowSince` says when that was decided. `onTheWay` is true
/// while the ticket keeps its place for a holder who has not yet checked in (arrival check-in).
struct TicketBody: Codable {
    struct CounterRef: Codable {
        var id: CounterID
        var label: String
    }

    var token: TicketID
    var number: TicketNumber
    var office: OfficeID
    var service: ServiceID
    var status: TicketStatus
    var channel: Channel
    var priority: Int
    var issuedAt: String
    var position: Int?
    var estimate: WaitEstimate?
    var estimateMethod: String?
    var comeNow: Bool
    var comeNowSince: String?
    var onTheWay: Bool
    var counter: CounterRef?

    init(_ view: TicketView, live: LiveEstimates.Entry? = nil) {
        let t = view.ticket
        token = t.id
        number = t.number
        office = t.office
        service = t.service
        status = t.status
        channel = t.channel
        priority = t.priority
        issuedAt = EventTime.format(t.issuedAt, offsetSeconds: view.office.zone.secondsFromGMT(for: t.issuedAt))
        position = view.position
        estimate = view.estimate
        estimateMethod = view.estimate == nil ? nil : "queue-length"
        if let live {
            estimate = live.waitEstimate
            estimateMethod = "twin"
        }
        comeNow = live?.comeNowSince != nil
        let zone = view.office.zone
        comeNowSince = live?.comeNowSince.map { EventTime.format($0, offsetSeconds: zone.secondsFromGMT(for: $0)) }
        onTheWay = t.onTheWay && t.status == .waiting
        counter = t.holdsCounter ? view.counter.map { CounterRef(id: $0.id, label: $0.label) } : nil
    }

    enum CodingKeys: String, CodingKey {
        case token, number, office, service, status, channel, priority, issuedAt, position, estimate, estimateMethod, comeNow
        case comeNowSince, onTheWay, counter
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(token, forKey: .token)
        try c.encode(number, forKey: .number)
        try c.encode(office, forKey: .office)
        try c.encode(service, forKey: .service)
        try c.encode(status, forKey: .status)
        try c.encode(channel, forKey: .channel)
        try c.encode(priority, forKey: .priority)
        try c.encode(issuedAt, forKey: .issuedAt)
        try c.encode(position, forKey: .position)
        try c.encode(estimate, forKey: .estimate)
        try c.encode(estimateMethod, forKey: .estimateMethod)
        try c.encode(comeNow, forKey: .comeNow)
        try c.encode(comeNowSince, forKey: .comeNowSince)
        try c.encode(onTheWay, forKey: .onTheWay)
        try c.encodeIfPresent(counter, forKey: .counter)
    }
}

/// An office as `GET /api/v1/offices` lists it.
struct OfficeBody: Codable {
    struct ServiceBody: Codable {
        var id: ServiceID
        var prefix: String
        var color: String
        var name: LocalizedText
        var open: Bool
        var typicalMinutes: Int
    }

    struct CounterBody: Codable {
        var id: CounterID
        var label: String
        var services: [ServiceID]
        var open: Bool
    }

    var id: OfficeID
    var name: LocalizedText
    var timeZone: String
    var services: [ServiceBody]
    var counters: [CounterBody]

    init(_ office: Office, states: [CounterState]) {
        id = office.id
        name = office.name
        timeZone = office.timeZone
        services = office.procedures.map {
            ServiceBody(
                id: $0.id, prefix: $0.prefix, color: $0.color, name: $0.name, open: $0.open,
                typicalMinutes: Int((Double($0.typicalServiceSeconds) / 60).rounded()))
        }
        counters = office.counters.map { counter in
            CounterBody(
                id: counter.id, label: counter.label, services: counter.services,
                open: states.first { $0.id == counter.id }?.open ?? false)
        }
    }
}

struct CounterStateBody: Codable {
    var id: CounterID
    var open: Bool
    var current: TicketID?
}

/// The issue request body. Unknown fields are ignored; `IssueRequest`'s parser checks the ones here.
struct IssueBody: Decodable {
    var service: String
    var channel: String
    var priority: Int?
    var language: String?
    var travelMinutes: Int?
    var priorityReason: String?

    func validated(office: OfficeID) throws -> IssueRequest {
        try IssueRequest(
            office: office, service: service, channel: channel, priority: priority, language: language, travelMinutes: travelMinutes,
            priorityReason: priorityReason)
    }
}

struct TransferBody: Decodable {
    var service: String
}
