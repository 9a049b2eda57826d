/// The engine's future-event list: a binary min-heap on (time, order of scheduling), so that events at the same
/// instant run in the order they were scheduled and a seed always gives the same day.
struct EventHeap {
    struct Item {
        var time: Double
        var order: Int
        var kind: EngineEvent
        var index: Int
    }

    private var items: [Item] = []
    private var scheduled = 0

    init() { items.reserveCapacity(64) }

    var nextTime: Double { items.first?.time ?? .infinity }
    var isEmpty: Bool { items.isEmpty }

    mutating func push(_ time: Double, _ kind: EngineEvent, _ index: Int) {
        scheduled += 1
        let item = Item(time: time, order: scheduled, kind: kind, index: index)
        items.append(item)
        // Sift the hole up rather than swapping: one write per level.
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(item, items[parent]) else { break }
            items[i] = items[parent]
            i = parent
        }
        items[i] = item
    }

    mutating func pop() -> Item {
        let top = items[0]
        let last = items.removeLast()
        let count = items.count
        if count > 0 {
            var i = 0
            while true {
                let l = 2 * i + 1
                if l >= count { break }
                let r = l + 1
                let child = r < count && Self.before(items[r], items[l]) ? r : l
                guard Self.before(items[child], last) else { break }
                items[i] = items[child]
                i = child
            }
            items[i] = last
        }
        return top
    }

    @inline(__always)
    private static func before(_ a: Item, _ b: Item) -> Bool {
        a.time < b.time || (a.time == b.time && a.order < b.order)
    }
}

enum EngineEvent: UInt8 {
    /// A remote holder reaches the counter that called them.
    case serviceStart
    case serviceEnd
    /// The grace after a call ran out with nobody at the counter.
    case noShow
    /// A remote holder who missed the call arrives within the window and is put back.
    case reactivate
    /// A remote holder who missed their call and the window reaches the office and takes a new ticket.
    case newTicket
    /// The "come now" advisor looks at the office.
    case comeNowCheck
    /// Staff reach a counter the roster opened a while ago (`Behaviour.openingDelay`, `lateStart`).
    case lateOpening
    /// A remote holder on their way reaches the office and checks in (arrival check-in).
    case checkIn
}
