import Foundation
import Hummingbird
import OfficeRuntime
import QueueCore

/// The LINE mini-app (LIFF): the phone pages, opened inside LINE. The city registers `https://<server>/liff` as the
/// LIFF app's endpoint; `https://liff.line.me/<LIFF id>/chuo` then opens `/liff/chuo` (LINE's SDK makes that second
/// step in `liff.init`). The page loads the SDK from LINE at run time; inside LINE its script trades the ID token
/// for a pass (`LineSessions`) and takes the ticket with it, so "come now" reaches the holder in LINE with nothing
/// typed. Outside LINE, or without the SDK, it is the plain phone page. With no LIFF id configured the paths lead
/// to the plain pages.
struct LIFFPages: Sendable {
    let citizen: PageRoutes
    let view: LIFFView?

    func register(on routes: Routes) {
        routes.get("/liff") { request, _ in
            guard let view else { return Pages.redirect("/") }
            return try await citizen.home(request, liff: view)
        }
        routes.get("/liff/{office}") { request, context in
            guard let view else {
                let office = OfficeID(context.parameters.get("office") ?? "")
                return Pages.redirect(office.isValidSlug ? "/o/\(office.rawValue)" : "/")
            }
            return try await citizen.phone(request, context, liff: view)
        }
    }
}

/// What a LIFF page needs: the app's id, where the SDK comes from, the official account to befriend, and the CSP
/// that lets the SDK run and reach LINE.
struct LIFFView: Sendable {
    let liffID: String
    let sdk: String
    let account: String

    init?(_ alerts: AlertSettings) {
        guard alerts.liffChannel != nil, let liffID = alerts.liffID, let account = alerts.lineAccountID else { return nil }
        self.liffID = liffID
        sdk = alerts.liffSDK
        self.account = account
    }

    /// The SDK's origin (`https://static.line-scdn.net`).
    var sdkOrigin: String {
        guard let url = URL(string: sdk), let scheme = url.scheme, let host = url.host else { return "'none'" }
        return "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
    }

    /// The SDK talks to LINE's own hosts (`api.line.me`, `liffsdk.line-scdn.net`).
    var contentSecurityPolicy: String {
        Pages.contentSecurityPolicy(scripts: [sdkOrigin], connects: [sdkOrigin, "https://*.line.me", "https://*.line-scdn.net"])
    }

    func model(office: OfficeID?) -> [String: Any] {
        let befriend = account.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? account
        return [
            "id": liffID, "sdk": sdk, "office": office?.rawValue ?? "", "friendURL": "https://line.me/R/ti/p/\(befriend)",
        ]
    }
}
