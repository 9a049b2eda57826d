import Foundation

/// Staff accounts: bearer tokens (staff, supervisors, admins, devices), console logins, and the sessions signing
/// in creates. Sessions and tokens live in the store, so that ending one (logout, a password change, `user remove`,
/// `token revoke`) takes effect at once on every node.
extension QueueCommands {
    public func createStaff(_ account: StaffAccount, in ledger: inout some QueueLedger) throws {
        try MyNumber.refuse([account.name])
        if let office = account.office { _ = try requireOffice(office, in: ledger) }
        try ledger.insert(staff: account)
    }

    /// Adds bearer-token accounts moved from another store (SQLite to PostgreSQL, say): only hashes travel, so the
    /// tokens people hold keep working. An account already there is left as it is; all are checked before any is
    /// added. Returns how many were added.
    public func importStaff(_ accounts: [StaffAccount], in ledger: inout some QueueLedger) throws -> Int {
        for (index, account) in accounts.enumerated() {
            let field = "accounts[\(index)]"
            try MyNumber.refuse([account.name])
            guard account.tokenHash.count == 64,
                account.tokenHash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) })
            else { throw QueueError.invalidInput(field: field, reason: "tokenHash must be 64 lower-case hex digits (a SHA-256)") }
            guard !account.name.hasPrefix(Self.sessionPrefix) else {
                throw QueueError.invalidInput(field: field, reason: "console sessions are not moved; people sign in again")
            }
            if (account.role == .staff || account.role == .device) && account.office == nil {
                throw QueueError.invalidInput(field: field, reason: "a \(account.role.rawValue) account needs an office")
            }
            if let office = account.office { _ = try requireOffice(office, in: ledger) }
        }
        var added = 0
        for account in accounts where try ledger.staffAccount(tokenHash: account.tokenHash) == nil {
            try ledger.insert(staff: account)
            added += 1
        }
        return added
    }

    /// Removes console sessions (accounts named `session:…`) older than `lifetimeSeconds`: they no longer open
    /// anything, and nothing should be kept longer than it serves.
    public func removeSessions(olderThan lifetimeSeconds: Double, in ledger: inout some QueueLedger) throws -> Int {
        try ledger.deleteStaff(namePrefix: Self.sessionPrefix, createdBefore: now().addingTimeInterval(-lifetimeSeconds))
    }

    public func createUser(_ user: StaffUser, in ledger: inout some QueueLedger) throws {
        try MyNumber.refuse([user.username])
        guard StaffUser.isValidUsername(user.username) else {
            throw QueueError.invalidInput(field: "username", reason: "3-40 of a-z, 0-9, '.', '_' and '-'")
        }
        if let office = user.office { _ = try requireOffice(office, in: ledger) }
        guard try ledger.staffUser(username: user.username) == nil else {
            throw QueueError.invalidInput(field: "username", reason: "'\(user.username)' is taken")
        }
        try ledger.insert(user: user)
    }

    /// Logout: the session's account goes; its cookie opens nothing any more. Returns whether there was one.
    public func endSession(tokenHash: String, in ledger: inout some QueueLedger) throws -> Bool {
        try ledger.deleteStaff(tokenHash: tokenHash) > 0
    }

    /// Revokes bearer tokens: the one with `tokenHash`, or every one named `name`. Console sessions are ended
    /// through their user. Returns how many went.
    public func revokeTokens(tokenHash: String?, name: String?, in ledger: inout some QueueLedger) throws -> Int {
        if let name, name.hasPrefix(Self.sessionPrefix) {
            throw QueueError.invalidInput(field: "name", reason: "console sessions end with their user (user remove, a password change)")
        }
        var gone = 0
        if let tokenHash, let account = try ledger.staffAccount(tokenHash: tokenHash), !account.name.hasPrefix(Self.sessionPrefix) {
            gone += try ledger.deleteStaff(tokenHash: tokenHash)
        }
        if let name { gone += try ledger.deleteStaff(name: name) }
        return gone
    }

    /// Removes a console login and ends its sessions. Returns whether the user existed.
    public func removeUser(username: String, in ledger: inout some QueueLedger) throws -> Bool {
        let removed = try ledger.deleteUser(username: username) > 0
        _ = try ledger.deleteStaff(name: Self.sessionPrefix + username)
        return removed
    }

    /// Sets a console login's password (its new hash) and ends every session signed in with the old one.
    public func changePassword(username: String, passwordHash: String, in ledger: inout some QueueLedger) throws {
        guard var user = try ledger.staffUser(username: username) else {
            throw QueueError.invalidInput(field: "username", reason: "no user '\(username)'")
        }
        user.passwordHash = passwordHash
        _ = try ledger.deleteUser(username: username)
        try ledger.insert(user: user)
        _ = try ledger.deleteStaff(name: Self.sessionPrefix + username)
    }

    /// Console sessions are staff accounts named `session:<username>`.
    public static let sessionPrefix = "session:"
}
