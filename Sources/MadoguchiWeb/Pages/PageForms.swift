import Foundation
import Hummingbird
import OfficeRuntime
import QueueCore

/// The citizen pages' forms (no script needed): rate, alerts, take a ticket, check in, travel time, cancel or
/// postpone; each answers with the page it came from.
extension PageRoutes {
    /// One tap on a face after the visit.
    func rate(_ request: Request, _ context: Context) async throws -> Response {
        try await onTicket(request, context) { token, form in
            _ = try await store.rate(ticket: token, rating: Int(form["rating"] ?? "") ?? 0)
            return Pages.redirect("/t/\(token.rawValue)?rated=1")
        }
    }

    /// "Get LINE alerts": a fresh one-time code, and off to LINE with it typed in (works without JavaScript).
    func lineLink(_ request: Request, _ context: Context) async throws -> Response {
        let (language, _) = Language.of(request)
        let token = TicketID(context.parameters.get("token") ?? "")
        guard token.isWellFormedToken, try await store.ticketView(token) != nil else { return notFound(language) }
        let (_, url) = try await Api.lineLink(token, store: store, alerts: alerts)
        return Pages.redirect(url)
    }

    /// "E-mail me" and "Text or call me": the address, for the ticket's day only; back to the ticket page.
    func contact(_ request: Request, _ context: Context) async throws -> Response {
        try await onTicket(request, context) { token, form in
            guard let channel = form["channel"].flatMap(AlertChannel.init(rawValue:)), channel == .email || channel == .gateway,
                hub.notifier?.channels.contains(channel) == true
            else { throw ApiError.invalid("channel_disabled", "This office does not send alerts that way.") }
            _ = try await store.addContact(ticket: token, channel: channel, address: form["address"] ?? "")
            hub.notifier?.wake()
            return Pages.redirect("/t/\(token.rawValue)")
        }
    }

    /// Takes a ticket from the phone page and sends the browser to its page. Inside LINE's in-app browser the
    /// channel is `line`.
    func take(_ request: Request, _ context: Context) async throws -> Response {
        let (language, _) = Language.of(request)
        let form = try await Form.read(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        let inLINE = request.headers[.userAgent]?.contains(" Line/") ?? false
        do {
            let body = IssueBody(
                service: form["service"] ?? "", channel: inLINE ? "line" : "web", priority: 0,
                language: form["language"].flatMap(Language.init(rawValue:))?.rawValue ?? language.rawValue,
                travelMinutes: try Self.travelMinutes(form["travel"]))
            try issues.check(client: context.client, office: office)
            let result = try await store.issue(try body.validated(office: office), idempotencyKey: nil)
            issues.spend(client: context.client, office: office)
            return Pages.redirect("/t/\(result.value.ticket.id.rawValue)")
        } catch let error as QueueError {
            return refused(ApiError(error), language)
        } catch let error as ApiError {
            return refused(error, language)
        }
    }

    /// "I'm here": the holder of a ticket kept for them checks in, and the page shows it.
    func checkIn(_ request: Request, _ context: Context) async throws -> Response {
        try await onTicket(request, context) { token, _ in
            _ = try await store.checkIn(ticket: token, by: nil)
            return Pages.redirect("/t/\(token.rawValue)")
        }
    }

    /// "How long will it take you now?" on the ticket page of a holder on the way.
    func changeTravel(_ request: Request, _ context: Context) async throws -> Response {
        try await onTicket(request, context) { token, form in
            guard let minutes = try Self.travelMinutes(form["travel"]) else {
                throw QueueError.invalidInput(
                    field: "travel", reason: "one of \(Self.travelChoices.map(String.init).joined(separator: ", "))")
            }
            _ = try await store.changeTravel(ticket: token, minutes: minutes)
            return Pages.redirect("/t/\(token.rawValue)")
        }
    }

    func citizen(_ action: CitizenAction, _ request: Request, _ context: Context) async throws -> Response {
        try await onTicket(request, context) { token, _ in
            _ = try await store.citizenAction(action, ticket: token)
            return Pages.redirect("/t/\(token.rawValue)")
        }
    }

    /// A ticket page's form: the token checked (the not-found page for a malformed or unknown one), `action` run
    /// with the form's fields, and a refusal shown as a page that says why.
    func onTicket(
        _ request: Request, _ context: Context, _ action: (TicketID, [String: String]) async throws -> Response
    ) async throws -> Response {
        let (language, _) = Language.of(request)
        let token = TicketID(context.parameters.get("token") ?? "")
        guard token.isWellFormedToken else { return notFound(language) }
        let form = try await Form.read(request)
        do {
            return try await action(token, form)
        } catch let error as QueueError {
            if case .ticketNotFound = error { return notFound(language) }
            return refused(ApiError(error), language)
        } catch let error as ApiError {
            return refused(error, language)
        }
    }
}
