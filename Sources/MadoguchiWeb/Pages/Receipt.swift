import Foundation
import Hummingbird
import QRCode
import QueueCore

/// The printed ticket (80 mm receipt), the same from the kiosk and the reception desk: number, procedure, office,
/// time, people ahead, the QR code of the ticket's page, and the procedure's form-writing guide, in the holder's
/// language.
enum Receipt {
    static func model(_ view: TicketView, request: Request, language: Language, catalog: Catalog) throws -> [String: Any] {
        let t = view.ticket
        let url = PublicURL.base(request) + "/t/\(t.id.rawValue)"
        let issued = EventTime.format(t.issuedAt, offsetSeconds: view.office.zone.secondsFromGMT(for: t.issuedAt))
        let ahead = (view.position ?? 1) - 1
        let procedure = view.office.procedure(t.service)
        return [
            "number": t.number.description, "prefix": t.number.prefix, "css": PageRoutes.cssClass(t.service),
            "procedureName": procedure.map { PageRoutes.procedureText($0, language, catalog).name } ?? t.service.rawValue,
            "officeName": language.isJapanese ? view.office.name.ja : view.office.name.en,
            "time": "\(issued.prefix(10)) \(issued.dropFirst(11).prefix(5))",
            "ahead": ahead == 0 ? catalog.text("ticket.next", language) : catalog.text("ticket.ahead", language, ["n": "\(ahead)"]),
            "qr": try QRCode(text: url).svg(title: "\(t.number) \(url)"),
            "url": url, "officeID": t.office.rawValue, "token": t.id.rawValue,
            "colorsCSS": "/offices/\(t.office.rawValue)/colors.css",
            // The form-writing guide's points, printed under the code: the paper guide of the 記載コーナー.
            "guide": procedure?.guide.map { GuideView(guide: $0, language: language, catalog: catalog).points } as Any,
        ]
    }
}
