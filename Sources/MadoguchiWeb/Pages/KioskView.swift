import Foundation
import HTTPTypes
import Hummingbird

/// The kiosk's large-text and high-contrast modes: one touch each (a plain GET form, so without JavaScript too),
/// kept for the visitor in a short cookie, and dropped when the screen resets for the next one (`?view=reset`).
struct KioskView: Equatable {
    var large = false
    var contrast = false

    static let cookie = "kiosk-view"
    /// A visitor's modes last five minutes past their last screen; the resets drop them sooner.
    static let lifetimeSeconds = 300
    /// Where every reset of the kiosk leads: the start, in Japanese, with no mode on.
    static func reset(_ office: String) -> String { "/kiosk/\(office)?lang=ja&view=reset" }

    /// The modes the request carries: its cookie, then one toggle from `?view=large|contrast|reset`.
    static func of(_ request: Request) -> KioskView {
        var view = KioskView()
        let kept = request.cookies[cookie]?.value ?? ""
        view.large = kept.contains("large")
        view.contrast = kept.contains("contrast")
        switch request.uri.queryParameters.get("view") {
        case "large": view.large.toggle()
        case "contrast": view.contrast.toggle()
        case "reset": view = KioskView()
        default: break
        }
        return view
    }

    var bodyClass: String { "kiosk" + (large ? " view-large" : "") + (contrast ? " view-contrast" : "") }

    /// The toolbar's buttons, each saying whether its mode is on (`aria-pressed`).
    func toolbar(office: String, language: Language, catalog: Catalog) -> [[String: Any]] {
        [("large", large, "kiosk.large"), ("contrast", contrast, "kiosk.contrast")].map { mode, on, key in
            ["mode": mode, "pressed": on ? "true" : "false", "label": catalog.text(key, language), "office": office]
        }
    }

    /// The page with the modes' cookie refreshed, or removed when none is on.
    func kept(on response: Response) -> Response {
        var response = response
        let value = [large ? "large" : nil, contrast ? "contrast" : nil].compactMap { $0 }.joined(separator: "-")
        response.setCookie(
            Cookie(
                name: Self.cookie, value: value, maxAge: value.isEmpty ? 0 : Self.lifetimeSeconds, path: "/kiosk", httpOnly: true,
                sameSite: .strict))
        return response
    }
}
