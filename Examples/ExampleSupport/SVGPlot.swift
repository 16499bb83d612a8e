import Foundation

/// A minimal SVG plot for the examples: line series and point sets on linear or
/// log-scaled axes, written to a file. Not API.
public struct SVGPlot {
    public var title: String
    public var width = 640.0, height = 420.0
    public var logY = false
    var lines: [(points: [(Double, Double)], color: String, label: String)] = []
    var dots: [(points: [(Double, Double)], color: String, label: String, radius: Double)] = []

    public init(title: String, logY: Bool = false) {
        self.title = title
        self.logY = logY
    }

    public mutating func line(_ points: [(Double, Double)], color: String, label: String) {
        lines.append((points, color, label))
    }

    public mutating func dots(_ points: [(Double, Double)], color: String, label: String, radius: Double = 3) {
        dots.append((points, color, label, radius))
    }

    func ty(_ y: Double) -> Double { logY ? log10(max(y, 1e-300)) : y }

    /// The SVG document.
    public var svg: String {
        let all = lines.flatMap(\.points) + dots.flatMap(\.points)
        let xs = all.map(\.0), ys = all.map { ty($0.1) }
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + 1 }
        let pad = 0.05 * (y1 - y0); y0 -= pad; y1 += pad
        let (l, r, t, b) = (60.0, 20.0, 40.0, 40.0)
        func px(_ x: Double) -> Double { l + (x - x0) / (x1 - x0) * (width - l - r) }
        func py(_ y: Double) -> Double { height - b - (ty(y) - y0) / (y1 - y0) * (height - t - b) }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">\(title)</text>\n"
        s += "<rect x=\"\(l)\" y=\"\(t)\" width=\"\(width - l - r)\" height=\"\(height - t - b)\" fill=\"none\" stroke=\"#888\"/>\n"
        for k in 0...4 {
            let yv = y0 + Double(k) / 4 * (y1 - y0)
            let label = logY ? String(format: "1e%.1f", yv) : String(format: "%.3g", yv)
            let yy = height - b - Double(k) / 4 * (height - t - b)
            s += "<text x=\"\(l - 4)\" y=\"\(yy + 4)\" text-anchor=\"end\">\(label)</text>\n"
            let xv = x0 + Double(k) / 4 * (x1 - x0)
            s += "<text x=\"\(px(xv))\" y=\"\(height - b + 16)\" text-anchor=\"middle\">\(String(format: "%.3g", xv))</text>\n"
        }
        for (k, line) in lines.enumerated() {
            let path = line.points.map { String(format: "%.2f,%.2f", px($0.0), py($0.1)) }.joined(separator: " ")
            s += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(l + 10)\" y=\"\(t + 16 + 16 * Double(k))\" fill=\"\(line.color)\">\(line.label)</text>\n"
        }
        for (k, d) in dots.enumerated() {
            for p in d.points {
                s += String(format: "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.1f\" fill=\"%@\" fill-opacity=\"0.8\"/>\n", px(p.0), py(p.1), d.radius, d.color)
            }
            s += "<text x=\"\(width - r - 10)\" y=\"\(t + 16 + 16 * Double(k))\" text-anchor=\"end\" fill=\"\(d.color)\">\(d.label)</text>\n"
        }
        return s + "</svg>\n"
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
