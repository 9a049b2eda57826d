import Foundation
import Hummingbird
import QueueCore

/// Checks `Authorization: Bearer <token>` for staff routes: 401 without a valid token, 403 for another office.
struct StaffAuth: Sendable {
    let store: any QueueStore

    func require(_ request: Request, office: OfficeID) async throws -> StaffAccount {
        let account = try await bearer(request)
        guard account.role != .device, account.mayAct(on: office) else { throw ApiError.forbidden }
        return account
    }

    /// Who may hand out a ticket on the spot (a priority ticket, the kiosk or staff channel): staff of the office,
    /// or one of its devices (kiosks).
    func requireIssuer(_ request: Request, office: OfficeID) async throws -> StaffAccount {
        let account = try await bearer(request)
        guard account.mayAct(on: office) else { throw ApiError.forbidden }
        return account
    }

    /// An admin's or a city-wide supervisor's token: for what spans every office (`/metrics`).
    func requireCityWide(_ request: Request) async throws -> StaffAccount {
        let account = try await bearer(request)
        guard account.role == .admin || account.role == .supervisor, account.office == nil else { throw ApiError.forbidden }
        return account
    }

    /// A supervisor's or an admin's token (of one office or every office): for reports and the dashboard.
    func requireSupervisor(_ request: Request) async throws -> StaffAccount {
        let account = try await bearer(request)
        guard account.role == .admin || account.role == .supervisor else { throw ApiError.forbidden }
        return account
    }

    private func bearer(_ request: Request) async throws -> StaffAccount {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw ApiError.unauthorized }
        let token = header.dropFirst("Bearer ".count).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.utf8.count <= 128,
            let account = try await store.staffAccount(tokenHash: StaffTokens.hash(token))
        else { throw ApiError.unauthorized }
        return account
    }

    /// The device account (kiosk, board) of `office` that `token` belongs to, or nil.
    func device(_ token: String?, office: OfficeID) async throws -> StaffAccount? {
        guard let token, !token.isEmpty, token.utf8.count <= 128,
            let account = try await store.staffAccount(tokenHash: StaffTokens.hash(token)),
            account.role == .device, account.office == office
        else { return nil }
        return account
    }
}
