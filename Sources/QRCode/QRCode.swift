import Foundation

/// A QR code (ISO/IEC 18004) for the printed ticket: byte mode, error correction level M, versions 1–10 (up to 213
/// bytes, far more than a ticket URL needs), the mask chosen by the standard's penalty rules. Written here rather
/// than taken from a library so that the server needs no system package; `QRCodeTests` holds it to libqrencode's
/// output, and the end-to-end test decodes the printed ticket with zbar.
public struct QRCode: Sendable {
    /// Modules, row by row; true is dark.
    public let modules: [[Bool]]
    public let version: Int
    public let mask: Int

    public var size: Int { modules.count }

    public enum Failure: Error { case tooLong }

    /// Level M per version 1–10: error-correction codewords per block, and the data codewords of each block.
    static let blocks: [(ec: Int, data: [Int])] = [
        (10, [16]), (16, [28]), (26, [44]), (18, [32, 32]), (24, [43, 43]),
        (16, [27, 27, 27, 27]), (18, [31, 31, 31, 31]), (22, [38, 38, 39, 39]), (22, [36, 36, 36, 37, 37]),
        (26, [43, 43, 43, 43, 44]),
    ]
    static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    /// The code for `text`; `mask` forces one of the eight masks (for tests), otherwise the lowest penalty wins.
    public init(text: String, mask forced: Int? = nil) throws {
        let bytes = Array(text.utf8)
        guard
            let version = (1...10).first(where: { v in
                let capacity = Self.blocks[v - 1].data.reduce(0, +) * 8
                return 4 + (v < 10 ? 8 : 16) + bytes.count * 8 <= capacity
            })
        else { throw Failure.tooLong }
        let data = Self.dataCodewords(bytes, version: version)
        let codewords = Self.interleaved(data, version: version)
        var best: (penalty: Int, matrix: Matrix, mask: Int)?
        for mask in forced.map({ [$0] }) ?? Array(0..<8) {
            var m = Matrix(version: version)
            m.drawFunctionPatterns()
            m.drawCodewords(codewords)
            m.applyMask(mask)
            m.drawFormat(mask: mask)
            let penalty = m.penalty()
            if best == nil || penalty < best!.penalty { best = (penalty, m, mask) }
        }
        modules = best!.matrix.dark
        self.version = version
        mask = best!.mask
    }

    // MARK: Data

    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, _ count: Int) {
            for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        append(0b0100, 4)
        append(bytes.count, version < 10 ? 8 : 16)
        for b in bytes { append(Int(b), 8) }
        let capacity = blocks[version - 1].data.reduce(0, +) * 8
        append(0, min(4, capacity - bits.count))
        while bits.count % 8 != 0 { bits.append(false) }
        var out: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { i in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[i + $1] ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while out.count * 8 < capacity {
            out.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return out
    }

    /// Splits into blocks, adds each block's Reed–Solomon codewords, and interleaves data then error correction.
    static func interleaved(_ data: [UInt8], version: Int) -> [UInt8] {
        let spec = blocks[version - 1]
        var offset = 0
        var dataBlocks: [[UInt8]] = []
        for length in spec.data {
            dataBlocks.append(Array(data[offset..<(offset + length)]))
            offset += length
        }
        let generator = ReedSolomon.generator(degree: spec.ec)
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, generator) }
        var out: [UInt8] = []
        for i in 0..<(spec.data.max() ?? 0) { for block in dataBlocks where i < block.count { out.append(block[i]) } }
        for i in 0..<spec.ec { for block in ecBlocks { out.append(block[i]) } }
        return out
    }

    // MARK: The matrix

    struct Matrix {
        let version: Int
        let size: Int
        var dark: [[Bool]]
        var reserved: [[Bool]]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            dark = Array(repeating: Array(repeating: false, count: size), count: size)
            reserved = dark
        }

        mutating func set(_ x: Int, _ y: Int, _ value: Bool) {
            dark[y][x] = value
            reserved[y][x] = true
        }

        mutating func drawFunctionPatterns() {
            for i in 0..<size {
                set(6, i, i % 2 == 0)
                set(i, 6, i % 2 == 0)
            }
            for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] { finder(x, y) }
            let centers = QRCode.alignment[version - 1]
            for cy in centers {
                for cx in centers {
                    let nearFinder = (cx == 6 && cy == 6) || (cx == 6 && cy == centers.last!) || (cx == centers.last! && cy == 6)
                    if !nearFinder { alignmentPattern(cx, cy) }
                }
            }
            drawFormat(mask: 0)  // reserves the format areas; drawn again with the chosen mask
            drawVersion()
        }

        mutating func finder(_ cx: Int, _ cy: Int) {
            for dy in -4...4 {
                for dx in -4...4 {
                    let x = cx + dx
                    let y = cy + dy
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let d = max(abs(dx), abs(dy))
                    set(x, y, d != 2 && d != 4)
                }
            }
        }

        mutating func alignmentPattern(_ cx: Int, _ cy: Int) {
            for dy in -2...2 { for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) } }
        }

        /// The 15 format bits (level M = 00, the mask), BCH-protected and masked with 0x5412, in both copies.
        mutating func drawFormat(mask: Int) {
            let data = 0b00 << 3 | mask
            var rem = data
            for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
            let bits = (data << 10 | rem) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(8, i, bit(i)) }
            set(8, 7, bit(6))
            set(8, 8, bit(7))
            set(7, 8, bit(8))
            for i in 9..<15 { set(14 - i, 8, bit(i)) }
            for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
            set(8, size - 8, true)  // the dark module
        }

        mutating func drawVersion() {
            guard version >= 7 else { return }
            var rem = version
            for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
            let bits = version << 12 | rem
            for i in 0..<18 {
                let bit = (bits >> i) & 1 == 1
                let a = size - 11 + i % 3
                let b = i / 3
                set(a, b, bit)
                set(b, a, bit)
            }
        }

        /// Codewords in the zigzag order: two-module columns from the right, up and down, skipping the timing column.
        mutating func drawCodewords(_ codewords: [UInt8]) {
            var i = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vert in 0..<size {
                    for j in 0..<2 {
                        let x = right - j
                        let upward = (right + 1) & 2 == 0
                        let y = upward ? size - 1 - vert : vert
                        if !reserved[y][x] && i < codewords.count * 8 {
                            dark[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                            i += 1
                        }
                    }
                }
                right -= 2
            }
        }

        mutating func applyMask(_ mask: Int) {
            for y in 0..<size {
                for x in 0..<size where !reserved[y][x] {
                    let flip: Bool
                    switch mask {
                    case 0: flip = (x + y) % 2 == 0
                    case 1: flip = y % 2 == 0
                    case 2: flip = x % 3 == 0
                    case 3: flip = (x + y) % 3 == 0
                    case 4: flip = (x / 3 + y / 2) % 2 == 0
                    case 5: flip = x * y % 2 + x * y % 3 == 0
                    case 6: flip = (x * y % 2 + x * y % 3) % 2 == 0
                    default: flip = ((x + y) % 2 + x * y % 3) % 2 == 0
                    }
                    if flip { dark[y][x].toggle() }
                }
            }
        }

        /// The standard's four penalty rules: runs of five or more, 2×2 blocks, finder-like patterns, dark balance.
        func penalty() -> Int {
            var score = 0
            func lines(_ get: (Int, Int) -> Bool) {
                for a in 0..<size {
                    var run = 1
                    var line: [Bool] = []
                    line.reserveCapacity(size)
                    for b in 0..<size {
                        line.append(get(a, b))
                        if b > 0 {
                            if line[b] == line[b - 1] {
                                run += 1
                            } else {
                                if run >= 5 { score += run - 2 }
                                run = 1
                            }
                        }
                    }
                    if run >= 5 { score += run - 2 }
                    // 1:1:3:1:1 with four light modules on either side (or the edge).
                    for b in 0...(size - 7) {
                        let pattern = [true, false, true, true, true, false, true]
                        guard (0..<7).allSatisfy({ line[b + $0] == pattern[$0] }) else { continue }
                        let before = (1...4).allSatisfy { b - $0 < 0 || !line[b - $0] }
                        let after = (1...4).allSatisfy { b + 6 + $0 >= size || !line[b + 6 + $0] }
                        if before || after { score += 40 }
                    }
                }
            }
            lines { dark[$0][$1] }
            lines { dark[$1][$0] }
            for y in 0..<(size - 1) {
                for x in 0..<(size - 1) {
                    let c = dark[y][x]
                    if c == dark[y][x + 1] && c == dark[y + 1][x] && c == dark[y + 1][x + 1] { score += 3 }
                }
            }
            let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
            let percent = darkCount * 100 / (size * size)
            score += (abs(percent - 50) / 5) * 10
            return score
        }
    }

    /// An SVG of the code with a four-module quiet zone, one path of unit squares; `data-qr` marks it for checks.
    public func svg(title: String) -> String {
        let quiet = 4
        let full = size + 2 * quiet
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, isDark) in row.enumerated() where isDark { path += "M\(x + quiet) \(y + quiet)h1v1h-1z" }
        }
        let escaped = title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        return "<svg data-qr xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(full) \(full)\" role=\"img\" aria-label=\"\(escaped)\" "
            + "shape-rendering=\"crispEdges\"><rect width=\"\(full)\" height=\"\(full)\" fill=\"#fff\"/><path d=\"\(path)\" fill=\"#000\"/></svg>"
    }
}

/// Reed–Solomon over GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11D).
enum ReedSolomon {
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var x = Int(a)
        var y = Int(b)
        var result = 0
        while y > 0 {
            if y & 1 == 1 { result ^= x }
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
            y >>= 1
        }
        return UInt8(result)
    }

    /// The generator polynomial ∏ (x − αⁱ), i < degree, highest coefficient first (the leading 1 dropped).
    static func generator(degree: Int) -> [UInt8] {
        var coefficients = [UInt8](repeating: 0, count: degree)
        coefficients[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for j in 0..<degree {
                coefficients[j] = multiply(coefficients[j], root)
                if j + 1 < degree { coefficients[j] ^= coefficients[j + 1] }
            }
            root = multiply(root, 2)
        }
        return coefficients
    }

    static func remainder(_ data: [UInt8], _ generator: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ result.removeFirst()
            result.append(0)
            for i in 0..<result.count { result[i] ^= multiply(generator[i], factor) }
        }
        return result
    }
}
