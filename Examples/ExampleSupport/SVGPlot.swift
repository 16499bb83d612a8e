import Foundation

/// A small SVG plot for the examples: line series and point sets on linear or log-scaled
/// axes, with round tick values (steps of 1, 2 or 5 times a power of ten; decades on a
/// log axis), axis titles, and the legend below the axes so that it never covers the
/// data. Not API.
public struct SVGPlot {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logY: Bool
    /// Same scale on both axes (point clouds), the plot box shaped to fit the data.
    public var equalAspect: Bool
    public var width = 640.0, plotHeight = 380.0
    var series: [Series] = []

    struct Series {
        var points: [(Double, Double)]
        var color: String
        var label: String
        var radius: Double?  // dots when set, a line otherwise
    }

    public init(title: String, xLabel: String, yLabel: String, logY: Bool = false, equalAspect: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
        self.equalAspect = equalAspect
    }

    /// A polyline through `points`; `label` goes to the legend (empty: no entry).
    public mutating func line(_ points: [(Double, Double)], color: String, label: String) {
        series.append(Series(points: points, color: color, label: label, radius: nil))
    }

    /// A dot at each point; `label` goes to the legend (empty: no entry).
    public mutating func dots(_ points: [(Double, Double)], color: String, label: String, radius: Double = 3) {
        series.append(Series(points: points, color: color, label: label, radius: radius))
    }

    /// Round tick values covering `[lo, hi]`: about `target` of them, `step = {1, 2, 5} x 10^k`.
    static func ticks(_ lo: Double, _ hi: Double, target: Int = 5) -> (values: [Double], step: Double) {
        let raw = (hi - lo) / Double(target)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = ceil(lo / step - 1e-9) * step
        let values = stride(from: first, through: hi + 1e-9 * step, by: step).map { abs($0) < 1e-12 * step ? 0 : $0 }
        return (values, step)
    }

    /// A tick label with as many decimals as the step needs (0.05 -> 2, 20 -> 0).
    static func label(_ v: Double, step: Double) -> String {
        let decimals = max(0, Int(-floor(log10(step) + 1e-9)))
        return String(format: "%.\(decimals)f", v)
    }

    /// The data range of one axis, widened to round tick values.
    static func range(_ values: [Double]) -> (Double, Double) {
        var (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
        if hi <= lo { (lo, hi) = (lo - 0.5, hi + 0.5) }
        let step = ticks(lo, hi).step
        return (floor(lo / step + 1e-9) * step, ceil(hi / step - 1e-9) * step)
    }

    func ty(_ y: Double) -> Double { logY ? log10(max(y, 1e-300)) : y }

    /// The SVG document.
    public var svg: String {
        let all = series.flatMap(\.points)
        var (x0, x1) = Self.range(all.map(\.0))
        var (y0, y1): (Double, Double)
        if logY {
            let ly = all.map { ty($0.1) }
            (y0, y1) = (floor(ly.min() ?? 0), ceil(ly.max() ?? 1))
            if y1 <= y0 { y1 = y0 + 1 }
        } else {
            (y0, y1) = Self.range(all.map(\.1))
        }
        let (left, right, top, bottom) = (72.0, 24.0, 40.0, 48.0)
        let boxWidth = width - left - right, boxHeight = plotHeight - top - bottom
        if equalAspect {
            // Widen the shorter range so one unit has the same length on both axes.
            let scale = min(boxWidth / (x1 - x0), boxHeight / (y1 - y0))
            let (cx, cy) = ((x0 + x1) / 2, (y0 + y1) / 2)
            (x0, x1) = (cx - boxWidth / scale / 2, cx + boxWidth / scale / 2)
            (y0, y1) = (cy - boxHeight / scale / 2, cy + boxHeight / scale / 2)
        }
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * boxWidth }
        func py(_ y: Double) -> Double { top + boxHeight - (ty(y) - y0) / (y1 - y0) * boxHeight }
        let legend = series.filter { !$0.label.isEmpty }
        let height = plotHeight + 8 + 18 * Double(legend.count)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(width / 2)\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        // Ticks and grid.
        let xt = Self.ticks(x0, x1)
        for v in xt.values where v >= x0 - 1e-9 && v <= x1 + 1e-9 {
            s += String(format: "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#eee\"/>\n", px(v), top, px(v), top + boxHeight)
            s += "<text x=\"\(fmt(px(v)))\" y=\"\(fmt(top + boxHeight + 16))\" text-anchor=\"middle\">\(Self.label(v, step: xt.step))</text>\n"
        }
        let yTicks: [(Double, String)] = logY
            ? stride(from: y0, through: y1, by: max(1, ((y1 - y0) / 6).rounded(.up))).map { ($0, "1e\(Int($0))") }
            : { let t = Self.ticks(y0, y1); return t.values.map { ($0, Self.label($0, step: t.step)) } }()
        for (v, text) in yTicks where v >= y0 - 1e-9 && v <= y1 + 1e-9 {
            let yy = top + boxHeight - (v - y0) / (y1 - y0) * boxHeight
            s += String(format: "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#eee\"/>\n", left, yy, left + boxWidth, yy)
            s += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(yy + 4))\" text-anchor=\"end\">\(text)</text>\n"
        }
        s += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(fmt(boxWidth))\" height=\"\(fmt(boxHeight))\" fill=\"none\" stroke=\"#888\"/>\n"
        // Axis titles.
        s += "<text x=\"\(fmt(left + boxWidth / 2))\" y=\"\(fmt(top + boxHeight + 36))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \(fmt(top + boxHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yLabel))</text>\n"
        // Data.
        for item in series {
            if let r = item.radius {
                for p in item.points {
                    s += String(format: "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\" fill=\"%@\" fill-opacity=\"0.8\"/>\n", px(p.0), py(p.1), r, item.color)
                }
            } else {
                let path = item.points.map { String(format: "%.2f,%.2f", px($0.0), py($0.1)) }.joined(separator: " ")
                s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"2\"/>\n"
            }
        }
        // Legend below the axes.
        for (k, item) in legend.enumerated() {
            let y = plotHeight + 4 + 18 * Double(k)
            if item.radius != nil {
                s += "<circle cx=\"\(fmt(left + 8))\" cy=\"\(fmt(y))\" r=\"4\" fill=\"\(item.color)\"/>\n"
            } else {
                s += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(left + 16))\" y2=\"\(fmt(y))\" stroke=\"\(item.color)\" stroke-width=\"2\"/>\n"
            }
            s += "<text x=\"\(fmt(left + 24))\" y=\"\(fmt(y + 4))\">\(escape(item.label))</text>\n"
        }
        return s + "</svg>\n"
    }

    func fmt(_ v: Double) -> String { String(format: "%.2f", v) }
    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Writes the SVG to `path` (creating its folder) and returns the path.
    @discardableResult
    public func write(to path: String) -> String {
        let url = URL(fileURLWithPath: path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? svg.write(to: url, atomically: true, encoding: .utf8)
        return path
    }
}
