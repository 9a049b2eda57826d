import QueueCore

/// One waiting line of the twin: ticket indices in call order. Called tickets leave from the front; cancelled ones
/// are dropped when they reach it.
struct TicketLine: Sendable {
    private var items: [Int] = []
    private var head = 0

    mutating func append(_ t: Int) { items.append(t) }

    /// The first waiting ticket whose holder is here, dropping the cancelled ones before the first waiting one.
    /// Holders on their way keep their place and are passed over.
    @inline(__always)
    mutating func front(tickets: [FloorTicket]) -> Int? {
        while head < items.count {
            let t = items[head]
            if tickets[t].status == .waiting { break }
            head += 1
        }
        var i = head
        while i < items.count {
            let t = items[i]
            if tickets[t].status == .waiting && tickets[t].present { return t }
            i += 1
        }
        return nil
    }

    /// Takes `t`, as `front` found it, out of the line: at the head almost always, past holders on their way
    /// otherwise.
    mutating func take(_ t: Int) {
        guard head < items.count, items[head] == t else {
            remove(t)
            return
        }
        head += 1
        if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
    }

    /// Takes a waiting ticket out of the middle (running late from the line).
    mutating func remove(_ t: Int) {
        if let i = items[head...].firstIndex(of: t) { items.remove(at: i) }
    }

    /// Puts a ticket back at its place by line order; almost always at or near the end.
    mutating func insert(_ t: Int, precedes: (Int, Int) -> Bool) {
        var i = items.count
        while i > head && precedes(t, items[i - 1]) { i -= 1 }
        items.insert(t, at: i)
    }

    /// Visits waiting tickets in order while `body` returns true.
    func forEachWaiting(tickets: [FloorTicket], _ body: (Int) -> Bool) {
        var i = head
        while i < items.count {
            if tickets[items[i]].status == .waiting, !body(items[i]) { return }
            i += 1
        }
    }
}

/// Lists of indices kept in one flat array, so that walking one list touches no reference count.
struct Jagged: Sendable {
    let values: [Int]
    private let starts: [Int]

    init(_ lists: [[Int]]) {
        values = lists.flatMap { $0 }
        var starts = [0]
        for list in lists { starts.append(starts.last! + list.count) }
        self.starts = starts
    }

    @inline(__always)
    func range(_ i: Int) -> Range<Int> { starts[i]..<starts[i + 1] }
}
