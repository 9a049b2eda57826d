import Foundation
import Hummingbird
import QueueCore

/// The form-writing guide over the API: the procedure's guide and what the holder answered
/// (`GET /api/v1/tickets/{token}/guide`), and the answers replaced (`PUT`, `{"answers": {"people": "2"}}`).
extension Api {
    struct GuideBody: Codable {
        /// The procedure's guide as the offices file gives it.
        var guide: FormGuide
        var answers: [String: String]
        /// What the ticket page's QR code carries to the console; nil until something is answered.
        var code: String?
    }

    func getGuide(_ context: Context) async throws -> Response {
        let token = try tokenParameter(context)
        let guide = try await guide(of: token)
        let filled = try await store.guideAnswers(ticket: token)
        return JSONBody.response(GuideBody(guide: guide, answers: filled?.answers ?? [:], code: filled.flatMap(Self.code)))
    }

    func putGuide(_ request: Request, _ context: Context) async throws -> Response {
        struct Body: Decodable { var answers: [String: String] }
        let token = try tokenParameter(context)
        let body = try await JSONBody.decode(Body.self, from: request)
        let guide = try await guide(of: token)
        let filled = try await store.fillGuide(ticket: token, answers: body.answers)
        return JSONBody.response(GuideBody(guide: guide, answers: filled.answers, code: Self.code(filled)))
    }

    private func guide(of token: TicketID) async throws -> FormGuide {
        guard let view = try await store.ticketView(token) else { throw ApiError(QueueError.ticketNotFound) }
        guard let guide = view.office.procedure(view.ticket.service)?.guide else {
            throw ApiError(.notFound, "no_guide", "This procedure has no form-writing guide.")
        }
        return guide
    }

    private static func code(_ filled: GuideAnswers) -> String? { filled.answers.isEmpty ? nil : filled.code }
}
