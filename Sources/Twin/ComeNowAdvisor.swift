import Foundation
import QueueCore

/// A "come now" rule that looks at the whole office, not only the line: every `interval` seconds of the simulated
/// day the engine shows it its state and the remote holders not yet told to set out, and it names those who
/// should go now. The wait estimator implements it (`Forecast.TwinComeNow`), so that the twin's remote holders
/// follow the rule the live server applies.
public protocol ComeNowAdvisor {
    var interval: Double { get }
    /// Among `candidates` (ticket indices on the floor, waiting, their holders at home), those due now.
    func due(_ state: EngineState, candidates: [Int]) -> [Int]
}

/// What the engine shows a `ComeNowAdvisor`: what the live office would know.
public struct EngineState {
    public let model: OfficeModel
    public let roster: Roster
    public let floor: Floor
    /// Seconds after opening.
    public let now: Double
    /// Per counter: since when it holds its ticket (seconds after opening), and how long that ticket had waited
    /// when called; meaningful while `floor.current[c]` is set.
    public let busySince: [Double]
    public let calledWait: [Double]
    /// Per counter: finishing its ticket before closing for the roster.
    public let closing: [Bool]
    /// Per ticket: taken remotely, and the holder's travel time in seconds.
    public let remote: [Bool]
    public let travel: [Double]
    /// Per ticket: when its holder was told to come (seconds after opening), nil while they have not been.
    public let toldAt: [Double?]
}
