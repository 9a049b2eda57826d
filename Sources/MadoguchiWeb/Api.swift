import Foundation
import HTTPTypes
import Hummingbird
import OfficeRuntime
import QueueCore

/// The HTTP API of DESIGN.md. Every route is declared once, in `declare`, which both registers it and lists it in
/// `routes`, so that a test can hold the OpenAPI document to exactly what is served.
struct Api: Sendable {
    let store: any QueueStore
    let hub: OfficeHub
    /// The office streams, written from their connections' event loops.
    let officeStreams: OfficeStreams
    /// Which alert channels are on, and how (the LINE account, the push services allowed).
    var alerts = AlertSettings()
    /// Remote tickets per client address, office and hour.
    var issues = IssueAllowance(perHour: 60)
    /// The LIFF mini-app's sign-in, when it is on.
    var line: LineSessions?
    /// The event log read as visits, for reports and open data.
    var reports: ReportSource { hub.reports }
    var auth: StaffAuth { StaffAuth(store: store) }

    typealias Context = MadoguchiContext
    typealias Handler = @Sendable (Request, Context) async throws -> Response

    /// Method and path (OpenAPI `{param}` form) of every API route.
    static let routes: [(method: HTTPRequest.Method, path: String)] = {
        var table: [(HTTPRequest.Method, String)] = []
        Api.declare { method, path, _ in table.append((method, path)) }
        return table
    }()

    /// The methods served on a concrete path, for a 405 with `Allow` when another method is tried.
    static func allowedMethods(path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let pattern = route.path.split(separator: "/", omittingEmptySubsequences: true)
            return pattern.count == segments.count
                && zip(pattern, segments).allSatisfy { p, s in p.hasPrefix("{") || p == s }
        }.map(\.method)
    }

    func register(on routes: Routes) {
        Api.declare(self) { method, path, handler in
            routes.on(method, path, handler)
        }
    }

    /// The one list of routes. With no `api` it only names them.
    private static func declare(_ api: Api? = nil, _ add: (HTTPRequest.Method, String, @escaping Handler) -> Void) {
        func route(
            _ method: HTTPRequest.Method, _ path: String, _ body: @escaping @Sendable (Api, Request, Context) async throws -> Response
        ) {
            add(method, path) { request, context in
                guard let api else { throw ApiError(.notFound, "not_found", "No such route.") }
                return try await body(api, request, context)
            }
        }
        route(.get, "/health") { api, _, _ in try await api.ready() }
        route(.get, "/health/live") { _, _, _ in JSONBody.response(["status": "ok"]) }
        route(.get, "/openapi.json") { _, _, _ in try OpenAPIDocument.response() }
        route(.get, "/api/v1/offices") { api, _, _ in try await api.listOffices() }
        route(.post, "/api/v1/offices/{office}/tickets") { api, r, c in try await api.issue(r, c) }
        route(.get, "/api/v1/offices/{office}/events") { api, r, c in try await api.officeEvents(r, c) }
        route(.get, "/api/v1/offices/{office}/queue") { api, r, c in try await api.queue(r, c) }
        route(.get, "/api/v1/offices/{office}/forecast") { api, r, c in try await api.forecast(r, c) }
        route(.post, Api.lineSessionPath) { api, r, _ in try await api.lineSession(r) }
        route(.get, "/api/v1/tickets/{token}") { api, _, c in try await api.getTicket(c) }
        for action in CitizenAction.allCases {
            route(.post, "/api/v1/tickets/{token}/\(action.rawValue)") { api, _, c in try await api.citizen(action, c) }
        }
        route(.post, "/api/v1/tickets/{token}/check-in") { api, _, c in try await api.checkIn(c) }
        route(.post, "/api/v1/tickets/{token}/travel") { api, r, c in try await api.changeTravel(r, c) }
        route(.get, "/api/v1/tickets/{token}/events") { api, r, c in try await api.ticketEvents(r, c) }
        route(.post, "/api/v1/tickets/{token}/feedback") { api, r, c in try await api.rate(r, c) }
        route(.get, "/api/v1/tickets/{token}/contacts") { api, _, c in try await api.listContacts(c) }
        route(.post, "/api/v1/tickets/{token}/contacts") { api, r, c in try await api.addContact(r, c) }
        route(.delete, "/api/v1/tickets/{token}/contacts/{channel}") { api, _, c in try await api.removeContact(c) }
        route(.post, "/api/v1/tickets/{token}/line-link") { api, _, c in try await api.lineLink(c) }
        route(.get, "/api/v1/tickets/{token}/guide") { api, _, c in try await api.getGuide(c) }
        route(.put, "/api/v1/tickets/{token}/guide") { api, r, c in try await api.putGuide(r, c) }
        route(.post, "/api/v1/offices/{office}/counters/{counter}/call-next") { api, r, c in try await api.callNext(r, c) }
        for action in CounterAction.allCases {
            route(.post, "/api/v1/offices/{office}/counters/{counter}/\(action.rawValue)") { api, r, c in
                try await api.counterAction(action, r, c)
            }
        }
        route(.post, "/api/v1/offices/{office}/counters/{counter}/transfer") { api, r, c in try await api.transfer(r, c) }
        route(.post, "/api/v1/offices/{office}/counters/{counter}/open") { api, r, c in try await api.setCounter(true, r, c) }
        route(.post, "/api/v1/offices/{office}/counters/{counter}/close") { api, r, c in try await api.setCounter(false, r, c) }
        route(.post, "/api/v1/offices/{office}/counters/{counter}/pause") { api, r, c in try await api.pause(r, c) }
        route(.post, "/api/v1/offices/{office}/tickets/{number}/reactivate") { api, r, c in try await api.reactivate(r, c) }
        route(.post, "/api/v1/offices/{office}/tickets/{number}/cancel") { api, r, c in try await api.cancelByOffice(r, c) }
        route(.get, "/api/v1/reports/waits") { api, r, _ in try await api.waitsReport(r) }
        route(.get, "/api/v1/offices/{office}/reforms") { api, r, c in try await api.listReforms(r, c) }
        route(.post, "/api/v1/offices/{office}/reforms") { api, r, c in try await api.recordReform(r, c) }
        route(.get, "/opendata/waits.csv") { api, r, _ in try await api.openData(r, json: false) }
        route(.get, "/opendata/waits.json") { api, r, _ in try await api.openData(r, json: true) }
    }

    // MARK: Public

    /// Readiness: the store answers a read. A load balancer takes a node whose database is gone out of rotation;
    /// `/health/live` only says the process runs.
    func ready() async throws -> Response {
        do {
            _ = try await store.offices()
            return JSONBody.response(["status": "ok"])
        } catch {
            var response = JSONBody.response(["status": "unavailable"], status: .serviceUnavailable)
            response.headers[.retryAfter] = "2"
            return response
        }
    }

    func listOffices() async throws -> Response {
        var bodies: [OfficeBody] = []
        for office in try await store.offices() {
            bodies.append(OfficeBody(office, states: try await store.counterStates(office: office.id)))
        }
        return JSONBody.response(bodies)
    }

    func issue(_ request: Request, _ context: Context) async throws -> Response {
        let office = try officeParameter(context)
        let key = try idempotencyKey(request)
        var issue = try await JSONBody.decode(IssueBody.self, from: request).validated(office: office)
        // A citizen takes a remote ticket in the ordinary line; a priority ticket, or one handed out at a kiosk or a
        // desk, needs the device's or the staff member's token (else anyone could jump the line or skew the
        // remote share).
        let anonymous = request.headers[.authorization] == nil
        if anonymous {
            guard issue.channel.isRemote && issue.priority == 0 else { throw ApiError.unauthorized }
            try issues.check(client: context.client, office: office)
        } else {
            let account = try await auth.requireIssuer(request, office: office)
            guard account.role != .device || issue.channel != .staff else { throw ApiError.forbidden }
            issue.staff = account.name
        }
        let lineUser = try await lineUser(request, channel: issue.channel)
        let result = try await store.issue(issue, idempotencyKey: key)
        if anonymous, result.created { issues.spend(client: context.client, office: office) }
        // Bound after the issue: a retry with the same key finds the same ticket and binds it again.
        if let lineUser {
            _ = try await store.addContact(ticket: result.value.ticket.id, channel: .line, address: lineUser)
            hub.notifier?.wake()
        }
        return JSONBody.response(hub.body(result.value), status: result.created ? .created : .ok)
    }

    func getTicket(_ context: Context) async throws -> Response {
        guard let view = try await store.ticketView(try tokenParameter(context)) else { throw ApiError(QueueError.ticketNotFound) }
        return JSONBody.response(hub.body(view))
    }

    func citizen(_ action: CitizenAction, _ context: Context) async throws -> Response {
        let result = try await store.citizenAction(action, ticket: try tokenParameter(context))
        return JSONBody.response(hub.body(result.value))
    }

    /// Arrival check-in by the holder: "I'm here". Twice is not an error; a finished ticket is 409.
    func checkIn(_ context: Context) async throws -> Response {
        let result = try await store.checkIn(ticket: try tokenParameter(context), by: nil)
        return JSONBody.response(hub.body(result.value))
    }

    /// A holder on the way gives a new travel time: `{"travelMinutes": 20}`.
    func changeTravel(_ request: Request, _ context: Context) async throws -> Response {
        struct Body: Decodable { var travelMinutes: Int }
        let token = try tokenParameter(context)
        let body = try await JSONBody.decode(Body.self, from: request)
        return JSONBody.response(hub.body(try await store.changeTravel(ticket: token, minutes: body.travelMinutes).value))
    }

    /// One tap on five faces after a completed visit, once.
    func rate(_ request: Request, _ context: Context) async throws -> Response {
        struct Body: Decodable { var rating: Int }
        let token = try tokenParameter(context)
        let body = try await JSONBody.decode(Body.self, from: request)
        _ = try await store.rate(ticket: token, rating: body.rating)
        return JSONBody.response(["rating": body.rating], status: .created)
    }

    func ticketEvents(_ request: Request, _ context: Context) async throws -> Response {
        let token = try tokenParameter(context)
        guard let office = try await store.ticketView(token)?.ticket.office else { throw ApiError(QueueError.ticketNotFound) }
        let since = EventStreams.lastEventID(request)
        return try await EventStreams.response(hub: hub, topic: .ticket(token, office: office)) {
            let last = try await store.lastEventSeq(office: office)
            guard let view = try await store.ticketView(token) else { throw ApiError(QueueError.ticketNotFound) }
            let data = OfficeHub.json(hub.body(view))
            var frames: [LiveFrame] = []
            if let since {
                // Replay what this ticket missed while disconnected, named as it happened, then the current state.
                let missed = try await store.events(office: office, date: view.ticket.businessDate, afterSeq: since, limit: 10_000)
                for event in missed where event.ticket == token {
                    frames.append(LiveFrame(id: event.seq, event: event.type.rawValue, data: data))
                }
            }
            return frames + [LiveFrame(id: last, event: "snapshot", data: data)]
        }
    }

    func officeEvents(_ request: Request, _ context: Context) async throws -> Response {
        let office = try officeParameter(context)
        return try await officeStreams.response(office: office, channel: context.channel) {
            guard let frame = try await hub.officeFrame(office) else { throw ApiError(QueueError.officeNotFound(office)) }
            return [frame]
        }
    }

    // MARK: Staff

    func cancelByOffice(_ request: Request, _ context: Context) async throws -> Response {
        let office = try officeParameter(context)
        let account = try await auth.require(request, office: office)
        let result = try await store.cancelByOffice(office: office, number: try numberParameter(context), by: account.name)
        return JSONBody.response(hub.body(result.value))
    }

    func queue(_ request: Request, _ context: Context) async throws -> Response {
        let office = try officeParameter(context)
        _ = try await auth.require(request, office: office)
        guard let config = try await store.offices().first(where: { $0.id == office }),
            let entries = try await store.queue(office: office)
        else { throw ApiError(QueueError.officeNotFound(office)) }
        return JSONBody.response(QueueBody(office: office, procedures: config.procedures, entries: entries))
    }

    func callNext(_ request: Request, _ context: Context) async throws -> Response {
        let (office, counter, staff) = try await staffCounter(request, context)
        let result = try await store.callNext(office: office, counter: counter, idempotencyKey: try idempotencyKey(request), by: staff)
        guard let view = result.value else { return Response(status: .noContent) }
        return JSONBody.response(hub.body(view))
    }

    func counterAction(_ action: CounterAction, _ request: Request, _ context: Context) async throws -> Response {
        let (office, counter, staff) = try await staffCounter(request, context)
        let result = try await store.counterAction(action, office: office, counter: counter, by: staff)
        return JSONBody.response(hub.body(result.value))
    }

    func transfer(_ request: Request, _ context: Context) async throws -> Response {
        let (office, counter, staff) = try await staffCounter(request, context)
        let body = try await JSONBody.decode(TransferBody.self, from: request)
        let result = try await store.transfer(office: office, counter: counter, to: ServiceID(body.service), by: staff)
        return JSONBody.response(hub.body(result.value))
    }

    func setCounter(_ open: Bool, _ request: Request, _ context: Context) async throws -> Response {
        let (office, counter, staff) = try await staffCounter(request, context)
        let result = try await store.setCounter(office: office, counter: counter, open: open, by: staff)
        return JSONBody.response(CounterStateBody(id: result.value.id, open: result.value.open, current: result.value.current))
    }

    /// A break or a meeting: the counter closes with why (`counter.paused`), and opens again with `open`.
    func pause(_ request: Request, _ context: Context) async throws -> Response {
        let (office, counter, staff) = try await staffCounter(request, context)
        struct Body: Decodable { var reason: String }
        let body = try await JSONBody.decode(Body.self, from: request)
        let result = try await store.pauseCounter(office: office, counter: counter, reason: try Self.pauseReason(body.reason), by: staff)
        return JSONBody.response(CounterStateBody(id: result.value.id, open: result.value.open, current: result.value.current))
    }

    /// A pause's reason code, or 422 naming the codes.
    static func pauseReason(_ code: String) throws -> PauseReason {
        guard let reason = PauseReason(rawValue: code) else {
            throw ApiError(
                QueueError.invalidInput(field: "reason", reason: "one of \(PauseReason.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        return reason
    }

    func reactivate(_ request: Request, _ context: Context) async throws -> Response {
        let office = try officeParameter(context)
        let account = try await auth.require(request, office: office)
        let result = try await store.reactivate(office: office, number: try numberParameter(context), by: account.name)
        return JSONBody.response(hub.body(result.value))
    }

    // MARK: Parameters

    /// The office and counter of a staff route, and the acting account's name for the audit trail.
    private func staffCounter(_ request: Request, _ context: Context) async throws -> (OfficeID, CounterID, String) {
        let office = try officeParameter(context)
        let account = try await auth.require(request, office: office)
        return (office, CounterID(context.parameters.get("counter") ?? ""), account.name)
    }

    private func numberParameter(_ context: Context) throws -> TicketNumber {
        guard let number = TicketNumber(parsing: context.parameters.get("number") ?? "") else {
            throw ApiError.invalid("invalid_input", "number: a ticket number such as A-042.")
        }
        return number
    }

    private func officeParameter(_ context: Context) throws -> OfficeID {
        OfficeID(context.parameters.get("office") ?? "")
    }

    /// Malformed tokens get the same 404 as unknown ones: nothing tells a guesser which part was wrong.
    func tokenParameter(_ context: Context) throws -> TicketID {
        let token = TicketID(context.parameters.get("token") ?? "")
        guard token.isWellFormedToken else { throw ApiError(QueueError.ticketNotFound) }
        return token
    }

    private func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard (1...128).contains(key.utf8.count), key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ApiError.badRequest("invalid_idempotency_key", "Idempotency-Key: 1 to 128 visible ASCII characters.")
        }
        return Self.storedIdempotencyKey(key)
    }

    /// What the store keeps of an idempotency key: its SHA-256, never the client's text (purged with its day).
    static func storedIdempotencyKey(_ key: String) -> String { StaffTokens.hash(key) }
}

/// The staff view of the lines: every procedure of the office, in configured order, with its waiting tickets in
/// call order (empty lines included, so a console can show them).
struct QueueBody: Codable {
    struct LineBody: Codable {
        var service: ServiceID
        var waiting: [QueueEntry]
    }

    var office: OfficeID
    var lines: [LineBody]

    init(office: OfficeID, procedures: [Procedure], entries: [QueueEntry]) {
        self.office = office
        lines = procedures.map { p in LineBody(service: p.id, waiting: entries.filter { $0.service == p.id }) }
    }
}
