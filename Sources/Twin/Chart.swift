import Foundation

/// An SVG chart as data for a template: coordinates are computed here, the markup lives in `Resources/chart.mustache`
/// (`Report.template("chart")`), which the twin's report and the server's pages both use.
public struct Chart: Sendable {
    struct Tick: Sendable { var position: Double; var label: String }
    struct Series: Sendable { var name: String; var color: String; var points: String; var dashed: Bool }
    struct Bar: Sendable { var x: Double; var y: Double; var width: Double; var height: Double; var color: String; var title: String }
    struct Rule: Sendable { var y: Double; var label: String }

    var title: String
    var description: String
    var width = 680.0
    var height = 260.0
    var plotLeft = 56.0
    var plotRight = 664.0
    var plotTop = 16.0
    var plotBottom = 220.0
    var yLabel: String
    var xTicks: [Tick] = []
    var yTicks: [Tick] = []
    var series: [Series] = []
    var bars: [Bar] = []
    var rules: [Rule] = []

    private func y(_ value: Double, max: Double) -> Double {
        plotBottom - (plotBottom - plotTop) * Swift.min(value, max) / max
    }

    private mutating func axis(max: Double, step: Double, format: (Double) -> String) {
        var v = 0.0
        while v <= max + 1e-9 {
            yTicks.append(Tick(position: y(v, max: max), label: format(v)))
            v += step
        }
    }

    static func niceStep(_ max: Double) -> Double {
        let raw = max / 5
        let magnitude = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 2.5, 5, 10] where raw <= m * magnitude { return m * magnitude }
        return 10 * magnitude
    }

    /// Lines over categories (hours); nil values break nothing, they are skipped. `rule` draws a target line.
    public static func lines(
        title: String, description: String, yLabel: String, categories: [String],
        series input: [(name: String, color: String, values: [Double?], dashed: Bool)], rule: (value: Double, label: String)? = nil,
        format: @escaping (Double) -> String = { String(Int($0)) }
    ) -> Chart {
        var chart = Chart(title: title, description: description, yLabel: yLabel)
        let top = max(input.flatMap { $0.values.compactMap { $0 } }.max() ?? 1, (rule?.value ?? 0) * 1.15, 1e-9)
        let step = niceStep(top)
        let yMax = ceil(top / step) * step
        chart.axis(max: yMax, step: step, format: format)
        let n = max(categories.count, 1)
        let dx = (chart.plotRight - chart.plotLeft) / Double(n)
        func x(_ i: Int) -> Double { chart.plotLeft + dx * (Double(i) + 0.5) }
        chart.xTicks = categories.enumerated().map { Tick(position: x($0.offset), label: $0.element) }
        chart.series = input.map { s in
            let points = s.values.enumerated().compactMap { i, v in v.map { String(format: "%.1f,%.1f", x(i), chart.y($0, max: yMax)) } }
            return Series(name: s.name, color: s.color, points: points.joined(separator: " "), dashed: s.dashed)
        }
        if let rule { chart.rules = [Rule(y: chart.y(rule.value, max: yMax), label: rule.label)] }
        return chart
    }

    /// A histogram of a sample of minutes, one bar per `bin` minutes, with a target line drawn vertically as a bar.
    static func histogram(title: String, description: String, minutes sample: [Double], bin: Double, mark: Double) -> Chart {
        let upper = max(mark * 1.25, (sample.max() ?? 0) + bin)
        var counts = Array(repeating: 0, count: Int(ceil(upper / bin)))
        for v in sample { counts[min(counts.count - 1, Int(v / bin))] += 1 }
        return histogram(title: title, description: description, counts: counts, bin: bin, mark: mark)
    }

    /// A histogram of counts per `bin` minutes from 0 (the last bin may hold everything beyond), as shares, bars past
    /// `mark` in red and the mark drawn as a vertical line.
    public static func histogram(
        title: String, description: String, counts: [Int], bin: Double, mark: Double, yLabel: String = "share of tickets",
        barTitle: @escaping (_ from: Double, _ to: Double, _ share: Double) -> String = {
            String(format: "%.0f–%.0f min: %.1f%%", $0, $1, $2 * 100)
        }
    ) -> Chart {
        var chart = Chart(title: title, description: description, yLabel: yLabel)
        let count = max(counts.count, 1)
        let total = max(counts.reduce(0, +), 1)
        let shares = counts.map { Double($0) / Double(total) }
        let top = max(shares.max() ?? 0, 1e-9)
        let step = niceStep(top)
        let yMax = ceil(top / step) * step
        chart.axis(max: yMax, step: step) { String(format: "%.0f%%", $0 * 100) }
        let dx = (chart.plotRight - chart.plotLeft) / Double(count)
        chart.bars = shares.enumerated().map { i, share in
            let top = chart.y(share, max: yMax)
            let from = Double(i) * bin
            return Bar(
                x: chart.plotLeft + dx * Double(i), y: top, width: max(dx - 1, 0.5), height: chart.plotBottom - top,
                color: from >= mark ? "#b91c1c" : "#2563eb", title: barTitle(from, from + bin, share))
        }
        let tickEvery = max(1, Int((Double(count) / 10).rounded(.up)))
        chart.xTicks = stride(from: 0, through: count, by: tickEvery).map {
            Tick(position: chart.plotLeft + dx * Double($0), label: String(Int(Double($0) * bin)))
        }
        let markX = chart.plotLeft + dx * mark / bin
        chart.bars.append(
            Bar(
                x: markX - 1, y: chart.plotTop, width: 2, height: chart.plotBottom - chart.plotTop, color: "#111827",
                title: "\(Int(mark)) minutes"))
        return chart
    }
}
