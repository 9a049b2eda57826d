import Foundation
import HTTPTypes
import Hummingbird
import QueueCore

/// The lobby board (`/board/{office}`): full screen, high contrast, the number at each counter and the last calls.
/// Each call plays a chime, then a voice in Japanese and in English, and flashes on screen for those who cannot
/// hear it. It runs on a device token like the kiosk, and its stream resumes by itself after a network loss.
struct BoardRoutes: Sendable {
    let store: any QueueStore
    let pages: Pages
    var gate: DeviceGate { DeviceGate(auth: StaffAuth(store: store), pages: pages) }

    /// How many recent calls the board lists.
    static let recentCalls = 6

    func register(on routes: Routes) {
        routes.get("/board/{office}") { request, context in try await self.board(request, context) }
    }

    /// How a call is shown and spoken in each of the office's board languages, in order: the words with
    /// `{number}` and `{counter}` for the script to fill, and the voice to ask the browser for.
    static func announcements(_ office: Office, _ catalog: Catalog) -> [[String: String]] {
        office.announcedIn.compactMap(Language.init(rawValue:)).map { language in
            [
                "tag": language.htmlTag, "voice": language.voice,
                "visual": catalog.text("board.call_visual", language), "spoken": catalog.text("board.call_spoken", language),
            ]
        }
    }

    func board(_ request: Request, _ context: MadoguchiContext) async throws -> Response {
        let (language, switched) = Language.of(request)
        let office = OfficeID(context.parameters.get("office") ?? "")
        if let answer = try await gate.admit(request, office: office, page: "/board/\(office.rawValue)", language: language) {
            return answer
        }
        guard let config = try await store.offices().first(where: { $0.id == office }),
            let snapshot = try await store.snapshot(office: office)
        else { return gate.unregistered(language) }
        let catalog = pages.catalog
        let counters = snapshot.counters.map { c -> [String: Any] in
            [
                "id": c.counter.rawValue, "label": c.label,
                "number": c.status == .called || c.status == .serving ? c.number?.description ?? "" : "",
                "called": c.status == .called, "calls": c.calls ?? 0, "open": c.open,
            ]
        }
        let today = LocalDate(store.clock.now(), in: config.zone)
        let since = max(0, snapshot.seq - 2_000)
        let recent = try await store.events(office: office, date: today, afterSeq: since, limit: 2_000)
            .filter { $0.type == .ticketCalled || $0.type == .ticketRecalled }
            .suffix(Self.recentCalls).reversed()
            .compactMap { e -> [String: Any]? in
                guard let number = e.number, let counter = e.counter.flatMap(config.counter) else { return nil }
                return ["number": number.description, "counter": counter.label]
            }
        let title = "\(catalog.text("board.title", language)) · \(language.isJapanese ? config.name.ja : config.name.en)"
        return pages.render(
            "board", title: title,
            model: [
                "heading": title, "officeID": office.rawValue, "counters": counters, "recent": Array(recent), "bodyClass": "board",
                "calls": Self.announcements(config, catalog),
            ],
            language: language, rememberLanguage: switched)
    }
}
