// A QP-only consumer of the package (not API): it imports ImplicitDiffQP and nothing
// else, solves one QP, and exits. `Tests/QPOnlyConsumer/check-links.sh` runs `ldd` on
// the built executable and fails when GLPK is among its libraries: only ImplicitDiffLP
// may link GLPK.
import Foundation
import ImplicitDiffQP

// minimize 1/2 ||z||^2 - z_0 - z_1  subject to  z_0 + z_1 <= 1:  z = (0.5, 0.5).
let qp = try QuadraticProgram(Q: .identity(2), q: [-1, -1], G: Matrix(rowArrays: [[1, 1]])!, h: [1])
let z = try qp.solve().z
guard abs(z[0] - 0.5) < 1e-8, abs(z[1] - 0.5) < 1e-8 else {
    print("QPOnlyConsumer: unexpected solution \(z)")
    exit(1)
}
print("QPOnlyConsumer: z = \(z.scalars)")
