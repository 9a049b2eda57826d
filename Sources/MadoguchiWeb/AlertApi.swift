import Foundation
import Hummingbird
import OfficeRuntime
import QueueCore

/// The API's alert routes: a ticket holder's contacts and the LINE link code.
extension Api {
    /// The channels a ticket's holder is reachable on (not the addresses: the holder knows them).
    func listContacts(_ context: Context) async throws -> Response {
        let token = try tokenParameter(context)
        guard try await store.ticketView(token) != nil else { throw ApiError(QueueError.ticketNotFound) }
        let contacts = try await store.contacts(ticket: token)
        return JSONBody.response(ContactsBody(contacts, enabled: hub.notifier?.channels ?? []))
    }

    func addContact(_ request: Request, _ context: Context) async throws -> Response {
        let token = try tokenParameter(context)
        let body = try await JSONBody.decode(ContactBody.self, from: request)
        guard let channel = AlertChannel(rawValue: body.channel) else {
            throw ApiError.invalid("invalid_input", "channel: one of \(AlertChannel.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        guard hub.notifier?.channels.contains(channel) == true else {
            throw ApiError.invalid("channel_disabled", "This office does not send alerts by \(channel.rawValue).")
        }
        // A LINE user is linked only by sending the code from their own LINE (the webhook): naming a user id here
        // would let anyone make the city message a stranger.
        guard channel != .line else {
            throw ApiError.invalid("use_line_link", "LINE is linked with POST /api/v1/tickets/{token}/line-link and a message from LINE.")
        }
        if channel == .webPush, Contact.problem(channel: channel, address: body.address) == nil, !alerts.allowsPush(body.address) {
            throw ApiError.invalid("push_service_not_allowed", "This server does not post to that push service.")
        }
        _ = try await store.addContact(ticket: token, channel: channel, address: body.address)
        hub.notifier?.wake()
        let contacts = try await store.contacts(ticket: token)
        return JSONBody.response(ContactsBody(contacts, enabled: hub.notifier?.channels ?? []), status: .created)
    }

    /// A one-time code for "Get LINE alerts", and the link that opens the city's account with the code typed in.
    func lineLink(_ context: Context) async throws -> Response {
        let token = try tokenParameter(context)
        let (code, url) = try await Self.lineLink(token, store: store, alerts: alerts)
        return JSONBody.response(["code": code, "url": url], status: .created)
    }

    /// A fresh link code and the `line.me` link that opens the city's account with it typed in; the API and the
    /// ticket page's form both use it.
    static func lineLink(_ token: TicketID, store: any QueueStore, alerts: AlertSettings) async throws -> (code: String, url: String) {
        guard alerts.lineEnabled, let account = alerts.lineAccountID else {
            throw ApiError.invalid("channel_disabled", "This office does not send alerts by LINE.")
        }
        let link = try await store.newLinkCode(ticket: token, channel: .line)
        let text = "MADOGUCHI \(link.code)"
        let query = text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
        let accountPath = account.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? account
        return (link.code, "https://line.me/R/oaMessage/\(accountPath)/?\(query)")
    }

    func removeContact(_ context: Context) async throws -> Response {
        let token = try tokenParameter(context)
        guard let channel = AlertChannel(rawValue: context.parameters.get("channel") ?? "") else {
            throw ApiError(.notFound, "not_found", "No such channel.")
        }
        try await store.removeContact(ticket: token, channel: channel)
        return Response(status: .noContent)
    }
}

/// `POST /api/v1/tickets/{token}/contacts`.
struct ContactBody: Decodable {
    var channel: String
    var address: String
}

/// A ticket's alert channels: those the holder gave, and those the server offers.
struct ContactsBody: Codable {
    var channels: [String]
    var available: [String]

    init(_ contacts: [Contact], enabled: Set<AlertChannel>) {
        channels = contacts.map(\.channel.rawValue)
        available = AlertChannel.allCases.filter(enabled.contains).map(\.rawValue)
    }
}
