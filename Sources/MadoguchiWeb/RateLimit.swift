import Foundation
import Hummingbird
import QueueCore
import Synchronization

/// Token buckets per client key, bounded in memory. Defence in depth for ticket look-ups: a 128-bit token cannot
/// be guessed, but nobody should get to try at machine speed. Many citizens share one address behind carrier NAT
/// or public Wi-Fi, so the burst is generous and only look-ups by token are limited, never issuing.
final class RateLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Double
    }

    let burst: Double
    let perSecond: Double
    let maxKeys: Int
    private let now: @Sendable () -> Double
    private let buckets = Mutex<[String: Bucket]>([:])

    init(burst: Int, perSecond: Double, maxKeys: Int = 50_000, now: @escaping @Sendable () -> Double = RateLimiter.monotonicSeconds) {
        self.burst = Double(burst)
        self.perSecond = perSecond
        self.maxKeys = maxKeys
        self.now = now
    }

    /// Takes one token for `key`. Returns nil when allowed, or the seconds until the next token.
    func take(_ key: String) -> Int? {
        let t = now()
        return buckets.withLock { buckets in
            if buckets.count >= maxKeys { buckets = buckets.filter { $0.value.tokens + (t - $0.value.updated) * perSecond < burst } }
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: t)
            bucket.tokens = min(burst, bucket.tokens + (t - bucket.updated) * perSecond)
            bucket.updated = t
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }

    /// Seconds until `key` has a token again, without taking one; nil when it has one now.
    func exhausted(_ key: String) -> Int? {
        let t = now()
        return buckets.withLock { buckets in
            guard let bucket = buckets[key] else { return nil }
            let tokens = min(burst, bucket.tokens + (t - bucket.updated) * perSecond)
            return tokens >= 1 ? nil : max(1, Int(((1 - tokens) / perSecond).rounded(.up)))
        }
    }

    static func monotonicSeconds() -> Double {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }
}

/// Answers 429 with `Retry-After` once a client has used up its ticket look-ups.
struct TicketLookupLimit: RouterMiddleware {
    typealias Context = MadoguchiContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // The API's ticket routes and the ticket pages both look a ticket up by its token.
        let path = request.uri.path
        guard path.hasPrefix("/api/v1/tickets/") || path.hasPrefix("/t/") else { return try await next(request, context) }
        if let wait = limiter.take(context.client) {
            var error = ApiError(.tooManyRequests, "rate_limited", "Too many ticket look-ups from this address; retry in \(wait) s.")
            error.headers[.retryAfter] = String(wait)
            throw error
        }
        return try await next(request, context)
    }
}

/// Remote tickets one client address may take per office per hour. Secondary to the rule of one active ticket
/// per identity: a lobby's Wi-Fi or a carrier's NAT puts many citizens behind one address, so the allowance is
/// generous; it stops one client from emptying a day's numbers. Only tickets actually created count (a retry with
/// the same `Idempotency-Key` spends nothing). Requests with a staff or device token are not limited here.
struct IssueAllowance: Sendable {
    let limiter: RateLimiter

    init(perHour: Int) {
        limiter = RateLimiter(burst: perHour, perSecond: Double(perHour) / 3600)
    }

    /// 429 `issue_limit` with `Retry-After` when `client` has used up its tickets at `office`.
    func check(client: String, office: OfficeID) throws {
        if let wait = limiter.exhausted(Self.key(client, office)) {
            var error = ApiError(
                .tooManyRequests, "issue_limit",
                "Too many tickets taken from this address at this office; retry in \(wait) s, or ask at the reception desk.")
            error.headers[.retryAfter] = String(wait)
            throw error
        }
    }

    func spend(client: String, office: OfficeID) {
        _ = limiter.take(Self.key(client, office))
    }

    private static func key(_ client: String, _ office: OfficeID) -> String { "\(client) \(office.rawValue)" }
}
