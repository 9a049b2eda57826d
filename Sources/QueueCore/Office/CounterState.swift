import Foundation

/// Why a counter stops for a while (`counter.paused`): a code, never free text. A paused counter is closed until it
/// opens again; the estimators and the reports count it as closed, the event keeps why.
public enum PauseReason: String, Codable, Sendable, CaseIterable {
    case `break`
    case meeting
    /// Helping another counter or office (応援).
    case support

    /// How long the wait estimates expect the pause to last before the counter serves again (then as its plan
    /// says): a break 15 minutes, a meeting or helping elsewhere 30.
    public var expectedSeconds: Double {
        switch self {
        case .break: 900
        case .meeting, .support: 1800
        }
    }
}

/// A counter's live state: open or closed, the ticket it holds, and its run of priority calls.
public struct CounterState: Codable, Sendable, Equatable {
    public var id: CounterID
    public var open: Bool
    /// The ticket called or being served here; nil once it is completed or released.
    public var current: TicketID?
    /// Priority calls in a row, for the anti-starvation rule.
    public var priorityStreak: Int
    /// The procedures a supervisor gave the counter for one business day (`counter.skills_changed`), instead of its
    /// configured ones; nil when unchanged.
    public var skills: [ServiceID]?
    public var skillsDate: LocalDate?

    public init(
        id: CounterID, open: Bool = false, current: TicketID? = nil, priorityStreak: Int = 0, skills: [ServiceID]? = nil,
        skillsDate: LocalDate? = nil
    ) {
        self.id = id
        self.open = open
        self.current = current
        self.priorityStreak = priorityStreak
        self.skills = skills
        self.skillsDate = skillsDate
    }

    /// What the counter serves on `date`: the day's changed skills, else its configured ones.
    public func services(configured: [ServiceID], on date: LocalDate) -> [ServiceID] {
        skillsDate == date ? skills ?? configured : configured
    }

    /// The run of priority calls after calling a ticket of class `priority`: what the anti-starvation rule counts.
    @inlinable
    public static func streak(after priority: Int, from streak: Int) -> Int { priority > 0 ? streak + 1 : 0 }

    /// This counter after `event`, by the same rules for live commands and for replay.
    public func evolved(by event: Event) -> CounterState {
        var next = self
        switch event.type {
        case .counterOpened where event.counter == id:
            next.open = true
        case .counterClosed where event.counter == id, .counterPaused where event.counter == id:
            next.open = false
        case .counterSkillsChanged where event.counter == id:
            if let procedures = event.procedures {
                next.skills = procedures
                next.skillsDate = event.businessDate ?? event.localDate
            }
        case .ticketCalled where event.counter == id:
            next.current = event.ticket
            next.priorityStreak = Self.streak(after: event.priority ?? 0, from: priorityStreak)
        case .ticketCompleted, .ticketNoShow, .ticketTransferred, .ticketPostponed, .ticketCancelled, .ticketExpired:
            if current != nil, current == event.ticket { next.current = nil }
        default:
            break
        }
        return next
    }
}
