import Dispatch
import Foundation

/// Barnes-Hut estimate of t-SNE's repulsive forces in 2-D over a quadtree built on Morton-sorted points.
///
/// For each point, a cell whose width w and distance d satisfy w / d < theta is replaced by its centre of mass;
/// leaves (a few points) are summed exactly. Returns, per point, sum_j q_ij^2 (y_i - y_j) with the unnormalised
/// Student-t kernel q_ij = 1 / (1 + |y_i - y_j|^2), and the estimate of Z = sum_{i != j} q_ij.
final class BarnesHutTree {
    let n: Int
    let theta: Double
    let leafSize = 8
    // Points in Morton order.
    private var keys: [UInt64]
    private var order: [Int]
    private var sx: [Double], sy: [Double]
    /// A cell: centre of mass, point count, width, children (consecutive nodes) and its points (Morton order).
    /// Packed in one 48-byte record so a visit touches one cache line.
    struct Node {
        var comX: Double, comY: Double, count: Double, widthSquared: Double
        var firstChild: Int32, childCount: Int32, lo: Int32, hi: Int32
    }
    private var nodes: [Node] = []
    // Per-point repulsion in sorted order.
    private var fx: [Double], fy: [Double]

    init(n: Int, theta: Double) {
        self.n = n
        self.theta = theta
        keys = [UInt64](repeating: 0, count: n)
        order = [Int](repeating: 0, count: n)
        sx = [Double](repeating: 0, count: n); sy = sx
        fx = sx; fy = sx
    }

    /// Builds the tree on `y` ([n x 2], row-major) and writes the repulsion into `rep` ([n x 2]); returns Z.
    func repulsion(_ y: UnsafePointer<Double>, into rep: UnsafeMutablePointer<Double>) -> Double {
        build(y)
        let threads = max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let chunks = threads * 8
        var partial = [Double](repeating: 0, count: chunks)
        let theta2 = theta * theta
        sx.withUnsafeBufferPointer { sxp in sy.withUnsafeBufferPointer { syp in
        nodes.withUnsafeBufferPointer { np in
        fx.withUnsafeMutableBufferPointer { fxp in fy.withUnsafeMutableBufferPointer { fyp in
        partial.withUnsafeMutableBufferPointer { pp in
            let (px, py, nodes) = (sxp.baseAddress!, syp.baseAddress!, np.baseAddress!)
            let (ox, oy, part) = (fxp.baseAddress!, fyp.baseAddress!, pp.baseAddress!)
            let n = self.n
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let begin = chunk * n / chunks, end = (chunk + 1) * n / chunks
                var stack = [Int32](repeating: 0, count: 1024)
                var zSum = 0.0
                stack.withUnsafeMutableBufferPointer { sp in
                    let stack = sp.baseAddress!
                    for s in begin..<end {
                        let xi = px[s], yi = py[s]
                        var ax = 0.0, ay = 0.0, z = 0.0
                        var top = 1
                        stack[0] = 0
                        while top > 0 {
                            top -= 1
                            let node = nodes[Int(stack[top])]
                            if node.childCount == 0 {
                                for t in Int(node.lo)..<Int(node.hi) where t != s {
                                    let ex = xi - px[t], ey = yi - py[t]
                                    let q = 1 / (1 + ex * ex + ey * ey)
                                    z += q
                                    let q2 = q * q
                                    ax += q2 * ex; ay += q2 * ey
                                }
                                continue
                            }
                            let dx = xi - node.comX, dy = yi - node.comY
                            let d2 = dx * dx + dy * dy
                            if node.widthSquared < theta2 * d2 {
                                let q = 1 / (1 + d2)
                                let m = node.count
                                z += m * q
                                let mq2 = m * q * q
                                ax += mq2 * dx; ay += mq2 * dy
                            } else {
                                let first = node.firstChild
                                for c in 0..<node.childCount { stack[top] = first + c; top += 1 }
                            }
                        }
                        ox[s] = ax; oy[s] = ay
                        zSum += z
                    }
                }
                part[chunk] = zSum
            }
        }}}}}}
        for s in 0..<n {
            let i = order[s]
            rep[2 * i] = fx[s]; rep[2 * i + 1] = fy[s]
        }
        return partial.reduce(0, +)
    }

    private func build(_ y: UnsafePointer<Double>) {
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            minX = min(minX, y[2 * i]); maxX = max(maxX, y[2 * i])
            minY = min(minY, y[2 * i + 1]); maxY = max(maxY, y[2 * i + 1])
        }
        let side = max(maxX - minX, maxY - minY, 1e-12) * (1 + 1e-9)
        let cells = Double(1 << 16)
        for i in 0..<n {
            let gx = UInt32(min((y[2 * i] - minX) / side * cells, cells - 1))
            let gy = UInt32(min((y[2 * i + 1] - minY) / side * cells, cells - 1))
            keys[i] = (UInt64(Self.interleave(gx) | (Self.interleave(gy) << 1)) << 32) | UInt64(i)
        }
        keys.sort()
        for s in 0..<n {
            let i = Int(keys[s] & 0xFFFF_FFFF)
            order[s] = i
            sx[s] = y[2 * i]; sy[s] = y[2 * i + 1]
        }
        nodes.removeAll(keepingCapacity: true)
        appendNode(lo: 0, hi: n, width: side)
        buildNode(0, level: 0, side: side)
    }

    private func appendNode(lo l: Int, hi h: Int, width w: Double) {
        nodes.append(Node(comX: 0, comY: 0, count: Double(h - l), widthSquared: w * w, firstChild: 0, childCount: 0,
                          lo: Int32(l), hi: Int32(h)))
    }

    /// Splits node `index` into its non-empty quadrants (recursively) and sets its centre of mass.
    private func buildNode(_ index: Int, level: Int, side: Double) {
        let l = Int(nodes[index].lo), h = Int(nodes[index].hi)
        if h - l <= leafSize || level >= 16 {
            var x = 0.0, y = 0.0
            for s in l..<h { x += sx[s]; y += sy[s] }
            nodes[index].comX = x / Double(h - l); nodes[index].comY = y / Double(h - l)
            return
        }
        let shift = UInt64(32 + 2 * (15 - level))
        var bounds = [l]
        var s = l
        for quadrant in 0..<4 {
            // Keys are sorted: advance past this quadrant.
            while s < h && Int((keys[s] >> shift) & 3) == quadrant { s += 1 }
            bounds.append(s)
        }
        let first = nodes.count
        var children = 0
        for q in 0..<4 where bounds[q + 1] > bounds[q] {
            appendNode(lo: bounds[q], hi: bounds[q + 1], width: side / 2)
            children += 1
        }
        nodes[index].firstChild = Int32(first)
        nodes[index].childCount = Int32(children)
        var x = 0.0, y = 0.0
        for c in 0..<children {
            buildNode(first + c, level: level + 1, side: side / 2)
            x += nodes[first + c].comX * nodes[first + c].count; y += nodes[first + c].comY * nodes[first + c].count
        }
        nodes[index].comX = x / Double(h - l); nodes[index].comY = y / Double(h - l)
    }

    /// Spreads the low 16 bits of v to the even bit positions.
    private static func interleave(_ v: UInt32) -> UInt32 {
        var x = v & 0xFFFF
        x = (x | (x << 8)) & 0x00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F
        x = (x | (x << 2)) & 0x3333_3333
        x = (x | (x << 1)) & 0x5555_5555
        return x
    }
}
