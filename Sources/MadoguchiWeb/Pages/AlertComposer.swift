import Foundation
import Notify
import QueueCore

/// An alert's words: the catalogue's `alert.<kind>.title|body` in the ticket's language, with the office's name, the
/// printed number and the counter's label. Nothing else: no procedure, no name.
struct AlertComposer: Sendable {
    let store: any OfficeLog
    let catalog: Catalog
    let publicURL: String?

    func message(for alert: OutboxAlert) async -> AlertMessage {
        let language = Language(rawValue: alert.language) ?? .ja
        let office = (try? await store.offices().first { $0.id == alert.office })
        let name = office.map { language.isJapanese ? $0.name.ja : $0.name.en } ?? alert.office.rawValue
        let arguments = ["office": name, "number": alert.number.description, "counter": alert.counterLabel ?? "-"]
        return AlertMessage(
            title: catalog.text("alert.\(alert.kind.rawValue).title", language, arguments),
            body: catalog.text("alert.\(alert.kind.rawValue).body", language, arguments),
            url: publicURL.map { "\($0)/t/\(alert.ticket.rawValue)" })
    }
}
