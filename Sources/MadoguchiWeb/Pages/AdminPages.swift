import Foundation
import Hummingbird
import Logging
import QueueCore

/// `/admin`: an admin's page for the accounts: console logins (remove one, set a new password) and bearer tokens
/// (revoke one). Each action ends the sessions or tokens concerned at once on every node, as the commands do
/// (`madoguchi user remove`, `user password`, `token revoke`), and leaves a log line naming the admin.
struct AdminPages: Sendable {
    let store: any QueueStore
    let pages: Pages
    let console: ConsoleRoutes
    let logger: Logger

    func register(on routes: Routes) {
        routes.get("/admin") { request, _ in try await self.page(request) }
        routes.post("/admin/users/remove") { request, _ in
            try await self.act(request) { form, admin in
                guard try await store.removeUser(username: form["username"] ?? "") else {
                    throw QueueError.invalidInput(field: "username", reason: "no such user")
                }
                logger.info("admin \(admin) removed user \(form["username"] ?? "")")
                return "admin.done_removed"
            }
        }
        routes.post("/admin/users/password") { request, _ in
            try await self.act(request) { form, admin in
                let password = form["password"] ?? ""
                guard password.count >= 8 else { throw QueueError.invalidInput(field: "password", reason: "at least 8 characters") }
                try await store.changePassword(username: form["username"] ?? "", passwordHash: try await Passwords.hashOffPool(password))
                logger.info("admin \(admin) set a new password for \(form["username"] ?? "")")
                return "admin.done_password"
            }
        }
        routes.post("/admin/tokens/revoke") { request, _ in
            try await self.act(request) { form, admin in
                guard try await store.revokeTokens(tokenHash: StaffTokens.hash(formKey: form["token"] ?? ""), name: nil) > 0 else {
                    throw QueueError.invalidInput(field: "token", reason: "no such token")
                }
                logger.info("admin \(admin) revoked a token")
                return "admin.done_revoked"
            }
        }
    }

    private func gate(_ request: Request) async throws -> ConsoleRoutes.Gate {
        try await console.roleGate(request, path: "/admin", roles: [.admin], forbidden: "admin.forbidden")
    }

    func page(_ request: Request, notice: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let session: String
        switch try await gate(request) {
        case .allowed(_, let token): session = token
        case .refused(let response): return response
        }
        let language = ConsoleRoutes.staffLanguage(request)
        let catalog = pages.catalog
        let csrf = Sessions.csrfToken(for: session)
        let everyOffice = catalog.text("admin.all_offices", language)
        let users = try await store.staffUsers().map { user -> [String: Any] in
            ["username": user.username, "role": user.role.rawValue, "office": user.office?.rawValue ?? everyOffice, "csrf": csrf]
        }
        let tokens = try await store.staffAccounts().map { account -> [String: Any] in
            [
                "name": account.name, "role": account.role.rawValue, "office": account.office?.rawValue ?? everyOffice,
                "created": account.createdAt.formatted(.iso8601.year().month().day()),
                "token": StaffTokens.formKey(hash: account.tokenHash), "csrf": csrf,
            ]
        }
        let done = request.uri.queryParameters.get("done").map { String($0) }.flatMap { key in
            key.hasPrefix("admin.done_") && catalog.has(key, language) ? catalog.text(key, language) : nil
        }
        let title = catalog.text("admin.title", language)
        return pages.render(
            "admin", title: title,
            model: [
                "heading": title, "users": users, "tokens": tokens, "notice": notice as Any, "done": done as Any, "bodyClass": "staff",
            ],
            language: language, languages: Language.staff, status: status)
    }

    /// Checks the admin's session and the form's CSRF token, runs `action`, and returns to the page with what
    /// happened (or why not).
    private func act(
        _ request: Request, _ action: @Sendable ([String: String], String) async throws -> String
    ) async throws -> Response {
        let account: StaffAccount
        let session: String
        switch try await gate(request) {
        case .allowed(let admin, let token): (account, session) = (admin, token)
        case .refused(let response): return response
        }
        let form = try await Form.signed(request, session: session)
        do {
            let done = try await action(form, account.name)
            return Pages.redirect("/admin?done=\(done)")
        } catch let error as QueueError {
            let language = ConsoleRoutes.staffLanguage(request)
            let api = ApiError(error)
            return try await page(
                request, notice: pages.catalog.text("console.refused", language, ["reason": api.message]), status: api.status)
        }
    }
}
