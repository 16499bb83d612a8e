/// Whether the allowed routes of a transport problem with forbidden routes can carry
/// the marginals with finite potentials. Not API; run by ``SinkhornProblem/solve(options:)``
/// before iterating, only when the cost matrix has forbidden routes.
///
/// Entropic transport restricted to the allowed routes `E = {(i, j): C_ij finite}` has a
/// solution with finite potentials `f`, `g` exactly when some plan `P >= 0` with
/// `P 1 = a`, `P' 1 = b` is positive on *every* allowed route (then its support is `E`;
/// Sinkhorn converges linearly). Two ways to fail:
///
/// 1. No plan on `E` meets the marginals: the maximum flow of the network
///    `source -a_i-> row i -inf-> column j -b_j-> sink` over `(i, j) in E` is below the
///    mass (a row or column without allowed routes is the simplest case). Computed by a
///    greedy pass (most of the flow in one sweep) and then Dinic's algorithm, with the
///    adjacency read from the cost matrix (no edge lists) and the flow kept in one
///    `n x m` array, column-major so that a column's backward arcs are contiguous.
/// 2. Plans exist but every one leaves some allowed route `(i, j)` empty: then the
///    entropic plan has `P_ij = 0`, `log P_ij = -infinity`, and `f_i + g_j` must be
///    `-infinity`; Sinkhorn's marginal error decays only like `1/k`. With a maximum flow
///    `F` at hand, a route with `F_ij = 0` can carry mass in another feasible plan iff
///    the residual graph (`i -> j` for `(i, j) in E`, `j -> i` where `F_ij > 0`) has a
///    path from `j` back to `i`: `i` and `j` in one strongly connected component
///    (Tarjan's algorithm, iterative).
///
/// Flows below `1e-14 sum(a)` count as zero; a deficit below `1e-9 sum(a)` (the masses'
/// own tolerance) counts as feasible.
struct RouteFeasibility {
    let n: Int
    let m: Int
    /// The cost with forbidden routes set to `+infinity` (row-major).
    let cost: [Double]
    let a: [Double]
    let b: [Double]

    /// `nil` when the allowed routes carry the marginals with finite potentials, else
    /// what fails. Allocates one `n x m` array of flows, freed on return.
    func failure() -> String? {
        if let empty = lineWithoutRoutes() { return empty }
        return flowFailure()
    }

    /// A row or column without any allowed route, or `nil`. For an unbalanced problem
    /// (``SinkhornProblem/isBalanced`` false) this is the whole check: its plan is
    /// positive on every allowed route for any finite potentials, and a relaxed
    /// marginal need not be met exactly, so only an empty line (whose potential would be
    /// infinite) stops it.
    func lineWithoutRoutes() -> String? {
        var columnHasRoute = [Bool](repeating: false, count: m)
        for i in 0..<n {
            var any = false
            for j in 0..<m where cost[i * m + j] < .infinity {
                any = true
                columnHasRoute[j] = true
            }
            if !any {
                return "row \(i) of C has no allowed route (every entry >= \(SinkhornProblem.forbiddenCostThresholdText)) but a[\(i)] = \(a[i]) > 0 must leave it"
            }
        }
        if let j = columnHasRoute.firstIndex(of: false) {
            return "column \(j) of C has no allowed route (every entry >= \(SinkhornProblem.forbiddenCostThresholdText)) but b[\(j)] = \(b[j]) > 0 must reach it"
        }
        return nil
    }

    /// The flow checks (steps 1 and 2 above), once every line has a route.
    private func flowFailure() -> String? {
        let sa = a.reduce(0, +), sb = b.reduce(0, +)
        let mass = Swift.min(sa, sb)
        let delta = 1e-14 * mass
        var flow = [Double](repeating: 0, count: n * m)  // flow[j * n + i]: row i -> column j
        let total = maximumFlow(&flow, delta: delta)
        if total < mass - 1e-9 * mass {
            return "the allowed routes (entries of C below \(SinkhornProblem.forbiddenCostThresholdText)) can carry at most \(total) of the mass \(mass): no plan meets the marginals"
        }
        let (count, example) = routesEmptyInEveryPlan(flow, delta: delta)
        if count > 0 {
            return "every plan that meets the marginals on the allowed routes leaves route (\(example.0), \(example.1))"
                + (count > 1 ? " and \(count - 1) other allowed route(s)" : "")
                + " empty, so the entropic plan is 0 there and the potentials f, g are infinite; forbid those routes (C_ij >= \(SinkhornProblem.forbiddenCostThresholdText)) or change a, b"
        }
        return nil
    }

    @inline(__always) func allowed(_ i: Int, _ j: Int) -> Bool { cost[i * m + j] < .infinity }

    /// Dinic's maximum flow from the rows (supplies `a`) to the columns (demands `b`)
    /// over the allowed routes (infinite capacity); returns its value. At most `n + m + 1`
    /// phases (each phase lengthens the shortest augmenting path).
    func maximumFlow(_ flow: inout [Double], delta: Double) -> Double {
        var rowOut = [Double](repeating: 0, count: n), columnIn = [Double](repeating: 0, count: m)
        // Greedy start: each row fills the allowed columns with demand left, in order.
        for i in 0..<n {
            let base = i * m
            for j in 0..<m where cost[base + j] < .infinity {
                let amount = Swift.min(a[i] - rowOut[i], b[j] - columnIn[j])
                if amount > 0 {
                    flow[j * n + i] += amount
                    rowOut[i] += amount
                    columnIn[j] += amount
                }
                if a[i] - rowOut[i] <= delta { break }
            }
        }
        // Levels: rows 0..<n, columns n..<n+m; -1 unreached or dead.
        var level = [Int](repeating: -1, count: n + m)
        var next = [Int](repeating: 0, count: n + m)
        var queue = [Int](repeating: 0, count: n + m)
        var path: [Int] = []
        path.reserveCapacity(n + m)
        for _ in 0...(n + m) {
            // BFS from the source over the residual graph.
            for k in 0..<(n + m) { level[k] = -1; next[k] = 0 }
            var head = 0, tail = 0, sinkLevel = Int.max
            for i in 0..<n where a[i] - rowOut[i] > delta {
                level[i] = 0
                queue[tail] = i; tail += 1
            }
            while head < tail {
                let u = queue[head]; head += 1
                if level[u] + 1 >= sinkLevel { continue }
                if u < n {
                    for j in 0..<m where level[n + j] < 0 && allowed(u, j) {
                        level[n + j] = level[u] + 1
                        queue[tail] = n + j; tail += 1
                    }
                } else {
                    let j = u - n
                    if b[j] - columnIn[j] > delta { sinkLevel = Swift.min(sinkLevel, level[u] + 1) }
                    for i in 0..<n where level[i] < 0 && flow[j * n + i] > delta {
                        level[i] = level[u] + 1
                        queue[tail] = i; tail += 1
                    }
                }
            }
            if sinkLevel == Int.max { break }
            // Blocking flow by depth-first search with current-arc pointers.
            for root in 0..<n where level[root] == 0 {
                while a[root] - rowOut[root] > delta, level[root] == 0 {
                    path.removeAll(keepingCapacity: true)
                    path.append(root)
                    var augmented = false
                    while let u = path.last, !augmented {
                        if u >= n, level[u] + 1 == sinkLevel, b[u - n] - columnIn[u - n] > delta {
                            // Augment along root -> c -> r -> ... -> u.
                            var amount = Swift.min(a[root] - rowOut[root], b[u - n] - columnIn[u - n])
                            var k = 2
                            while k < path.count {
                                amount = Swift.min(amount, flow[(path[k - 1] - n) * n + path[k]])
                                k += 2
                            }
                            rowOut[root] += amount
                            columnIn[u - n] += amount
                            k = 1
                            while k < path.count {
                                flow[(path[k] - n) * n + path[k - 1]] += amount
                                if k + 1 < path.count { flow[(path[k] - n) * n + path[k + 1]] -= amount }
                                k += 2
                            }
                            augmented = true
                            break
                        }
                        // Advance along the current arc, or retreat from a dead end.
                        var advanced = false
                        if u < n {
                            while next[u] < m {
                                let j = next[u]
                                if level[n + j] == level[u] + 1, allowed(u, j) {
                                    path.append(n + j)
                                    advanced = true
                                    break
                                }
                                next[u] += 1
                            }
                        } else {
                            let j = u - n
                            while next[u] < n {
                                let i = next[u]
                                if level[i] == level[u] + 1, flow[j * n + i] > delta {
                                    path.append(i)
                                    advanced = true
                                    break
                                }
                                next[u] += 1
                            }
                        }
                        if !advanced {
                            level[u] = -1
                            path.removeLast()
                            if let v = path.last { next[v] += 1 }
                        }
                    }
                    if !augmented { break }
                }
            }
        }
        return rowOut.reduce(0, +)
    }

    /// The allowed routes whose ends lie in different strongly connected components of
    /// the residual graph of the maximum flow `flow` (column-major): how many, and the
    /// first one.
    func routesEmptyInEveryPlan(_ flow: [Double], delta: Double) -> (count: Int, first: (Int, Int)) {
        let size = n + m
        var index = [Int](repeating: -1, count: size), low = [Int](repeating: 0, count: size)
        var onStack = [Bool](repeating: false, count: size), component = [Int](repeating: -1, count: size)
        var next = [Int](repeating: 0, count: size)
        var stack: [Int] = [], call: [Int] = []
        var counter = 0, components = 0
        // Successors: row i -> column j for allowed (i, j); column j -> row i where flow > delta.
        func successor(_ u: Int, from k: inout Int) -> Int? {
            if u < n {
                while k < m { let j = k; k += 1; if allowed(u, j) { return n + j } }
            } else {
                let j = u - n
                while k < n { let i = k; k += 1; if flow[j * n + i] > delta { return i } }
            }
            return nil
        }
        for start in 0..<size where index[start] < 0 {
            index[start] = counter; low[start] = counter; counter += 1
            stack.append(start); onStack[start] = true
            call.append(start)
            while let u = call.last {
                if let v = successor(u, from: &next[u]) {
                    if index[v] < 0 {
                        index[v] = counter; low[v] = counter; counter += 1
                        stack.append(v); onStack[v] = true
                        call.append(v)
                    } else if onStack[v] {
                        low[u] = Swift.min(low[u], index[v])
                    }
                } else {
                    call.removeLast()
                    if let parent = call.last { low[parent] = Swift.min(low[parent], low[u]) }
                    if low[u] == index[u] {
                        while let w = stack.popLast() {
                            onStack[w] = false
                            component[w] = components
                            if w == u { break }
                        }
                        components += 1
                    }
                }
            }
        }
        var count = 0, first = (0, 0)
        for i in 0..<n {
            for j in 0..<m where allowed(i, j) && component[i] != component[n + j] {
                if count == 0 { first = (i, j) }
                count += 1
            }
        }
        return (count, first)
    }
}
