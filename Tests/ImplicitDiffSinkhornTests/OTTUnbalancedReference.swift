import Foundation
import Testing
@testable import ImplicitDiffSinkhorn

// Unbalanced transport against ott-jax (0.6.0, float64, threshold 1e-14): the numbers
// below are printed by Benchmarks/sinkhorn/unbalanced_reference.py (run with the anchors'
// Python, /work/venv-anchors/bin/python) and pasted here; the script documents the
// conventions. Values are the optimal value OT_u of the problem ott-jax's iteration
// solves, and the gradients are jax.grad through ott-jax's *implicit* differentiation of
// the potentials (not the envelope theorem), so they check our envelope gradients and our
// implicit derivative independently. ott-jax's own reg_ot_cost for tau < 1 is recorded in
// comments only: it is not the optimal value of its iteration's problem (its Danskin
// gradient disagrees with central differences of itself; the script prints both).
//
// Tolerance: 1e-6 relative (max-norm) as the issue asks; both sides are converged to
// ~1e-13, so the agreement observed is ~1e-10 or better.

/// ott-jax's numbers, by case (see the script's `main`).
enum OTTUnbalanced {
    /// The data of cases 1 and 2 (a 4 x 3 cost matrix, sum(a) = 1, sum(b) = 1.3).
    static let costMatrix = Matrix(rowArrays: [[0.30, 0.82, 0.11], [0.64, 0.05, 0.47], [0.93, 0.38, 0.72], [0.21, 0.56, 0.99]])!
    static let a: Vector = [0.2, 0.35, 0.15, 0.3]
    static let b: Vector = [0.5, 0.4, 0.4]
    /// The cotangent of the loss `<W, P> + <wf, f> + <wg, g>`.
    static let planCotangent = Matrix(rowArrays: [[1.0, -0.5, 0.25], [0.0, 2.0, -1.0], [0.5, 0.5, 0.0], [-1.5, 0.0, 1.0]])!
    static let fCotangent: Vector = [0.3, -0.2, 0.5, 0.1]
    static let gCotangent: Vector = [-0.4, 0.6, 0.2]

    enum Case1 {
        // case 1: n = 4, m = 3, eps = 0.1, tau_a = 0.7, tau_b = 0.8, iterations 60
        // ott-jax reg_ot_cost (not matched, see the script): 0.2595385360361668
        static let f: [Double] = [-0.11723991729718929, -0.021441723751531812, 0.14554009431005066, -0.0179597572604496]
        static let g: [Double] = [0.1145211693964142, -0.030894144262568615, 0.10066970750573277]
        static let plan: [Double] = [
            0.04845171814680622, 6.243774262996936e-05, 0.2820412060667459, 0.004214579127877312, 0.35938584872091645,
            0.02008624226981462, 0.001231666235971051, 0.0704015147633204, 0.008756999269665213, 0.3216195741483551,
            0.0022687210616451686, 0.00011473327198632859
        ]
        static let cost = -0.06699917660553821
        static let costGradC: [Double] = [
            0.04845171814680625, 6.243774262996928e-05, 0.28204120606674593, 0.004214579127877318, 0.35938584872091656,
            0.020086242269814647, 0.0012316662359710526, 0.07040151476332043, 0.008756999269665222, 0.3216195741483552,
            0.002268721061645173, 0.00011473327198632864
        ]
        static let costGradA: [Double] = [
            -0.15231458894887903, -0.02245778007907241, 0.10828194180384511, -0.01866902215265634
        ]
        static let costGradB: [Double] = [0.09958596987279221, -0.03211852228851203, 0.089000819121788]
        static let costGradEps = -2.45844825599195
        static let lossGradC: [Double] = [
            -0.5697654561224037, 0.001378082416864846, 0.1360196036696164, -0.009344540447597895, -1.2170393328458022,
            0.25157058837956503, -0.01417830301663875, 0.5152877491388548, -0.015497830561936326, 0.8437884860573712,
            0.0146430357155342, -0.002023289447011967
        ]
        static let lossGradA: [Double] = [0.8544290650419103, 0.5165421899425577, 0.022381931350675646, -0.5883175140312505]
        static let lossGradB: [Double] = [-0.5204001491765868, 1.2857304655745492, -0.1700690720402321]
        static let lossGradEps = -2.5554653336614113
        // ott-jax reg_ot_cost: Danskin d/da [0.08693566019468965, 0.1303161207782802, 0.28410386481319344,
        // 0.1484435988152567] vs central differences [0.0014467176623345068, 0.09131551800822812, 0.257520965996072,
        // 0.1000639363035738]
    }

    enum Case2 {
        // case 2: n = 4, m = 3, eps = 0.2, tau_a = 1.0, tau_b = 0.5, iterations 50
        // ott-jax reg_ot_cost (not matched, see the script): 0.30550410832466046
        static let f: [Double] = [-0.3727066998481441, -0.20429740634466156, -0.061522433133459786, -0.13113430980896262]
        static let g: [Double] = [0.07424651910872625, -0.005948078215836538, 0.09969424338452845]
        static let plan: [Double] = [
            0.050171863187294594, 0.002495480731656849, 0.14733265608104856, 0.02127432279227619, 0.27219748650653763,
            0.05652819070118601, 0.010189682704886936, 0.1067407206393815, 0.03306959665573151, 0.2633058608543175,
            0.030641133516689928, 0.0060530056289924885
        ]
        static let cost = -0.3346140901029682
        static let costGradC: [Double] = [
            0.050171863187294635, 0.0024954807316568553, 0.14733265608104862, 0.02127432279227621, 0.2721974865065377,
            0.05652819070118599, 0.010189682704886944, 0.10674072063938156, 0.03306959665573153, 0.2633058608543175,
            0.03064113351668991, 0.006053005628992488
        ]
        static let costGradA: [Double] = [
            -0.3727066998481442, -0.2042974063446618, -0.06152243313345998, -0.1311343098089627
        ]
        static let costGradB: [Double] = [0.06202330818448989, -0.006037410697132989, 0.07850827546652062]
        static let costGradEps = -2.8700297772103207
        static let lossGradC: [Double] = [
            -0.05532904887189227, 0.026327420914426553, 0.32900162795746557, 0.0688288474121114, -0.7109440142063748,
            0.442115166794263, -0.0008324347086620977, 0.434556018934928, 0.06627641577373404, 0.24639332262948166,
            -0.07388807175987082, -0.07250525086961107
        ]
        static let lossGradA: [Double] = [1.1615706283620515, 1.02918899788439, 0.8657899317067288, -0.9307175983822921]
        static let lossGradB: [Double] = [-0.2636242745844157, 0.46197432305844466, -0.2824439798279262]
        static let lossGradEps = -2.681471715992985
        // ott-jax reg_ot_cost: Danskin d/da [0.009180882638675975, 0.06566701855507404, 0.3779015638437165,
        // 0.16966025105622462] vs central differences [0.12330573495589192, 0.18283905031668546, 0.49493577325421256,
        // 0.27536309230025147]
    }

    /// Point clouds in the plane (case 3) and their divergence (case 4).
    static let x = Matrix(rowArrays: [[0.0, 0.0], [0.5, 0.1], [0.2, 0.7], [0.9, 0.4], [0.4, 0.4]])!
    static let y = Matrix(rowArrays: [[0.1, 0.3], [0.8, 0.8], [0.6, 0.0], [0.3, 0.9]])!
    static let pa: Vector = [0.1, 0.3, 0.2, 0.25, 0.15]
    static let pb: Vector = [0.3, 0.3, 0.2, 0.4]
    static let pfCotangent: Vector = [0.2, -0.1, 0.4, 0.0, 0.3]
    static let pgCotangent: Vector = [0.5, -0.3, 0.1, 0.2]

    enum Case3 {
        // case 3: n = 5, m = 4, d = 2, eps = 0.15, tau_a = 0.9, tau_b = 0.6
        static let f: [Double] = [
            -0.21829809740077727, -0.1254706339628712, -0.2887099114921702, -0.10903790498876052, -0.2648919287492653
        ]
        static let g: [Double] = [-0.020112391134399332, 0.0376759656343634, -0.08916276230101113, 0.08930790088513846]
        static let cost = -0.3603144910884633
        static let costGradX: [Double] = [
            -0.03569405304682698, -0.06483945319642781, 0.03442961531115938, -0.027924539547789163,
            -0.049657874752066025, -0.04468952236952541, 0.09715082377624178, -0.13366004269155612,
            0.026250963001661062, -0.04038007825502328
        ]
        static let costGradY: [Double] = [
            -0.12211032040758357, 0.05347064585785315, 0.007008911229280975, 0.20048585690930137, 0.03643271978472392,
            -0.10354385252972681, 0.0061892151034094465, 0.16108098582289407
        ]
        static let costGradA: [Double] = [
            -0.23693881483411425, -0.13148624398335632, -0.32190515261444524, -0.11356232273396044,
            -0.29266649978028897
        ]
        static let costGradB: [Double] = [
            -0.02103869178567695, 0.034690505363202916, -0.10941386603430435, 0.07371334747907395
        ]
        static let lossGradX: [Double] = [
            -0.05342274130595187, -0.10154889425799056, 0.015059419126702125, 0.03252710782961034, -0.0437778335426027,
            -0.023467308002121712, 0.028837502194239417, 0.10735473487593983, 0.07860873810420435,
            0.0009252373300031591
        ]
        static let lossGradY: [Double] = [
            -0.08454677551993325, -0.007303531562873833, 0.024450737696353197, -0.08732592968538841,
            -0.0015746255945577672, -0.06951464587085296, 0.03636557884154645, 0.14835322934367423
        ]
        static let lossGradA: [Double] = [
            0.2133096015294821, -0.0712314071791838, 0.3441107297714396, 0.13414732043446084, 0.29612410915124204
        ]
        static let lossGradB: [Double] = [
            0.06336566449544005, -0.15954257415828016, 0.04163739077884278, -0.05629470879446497
        ]
    }

    enum Case4 {
        // case 4: n = 5, m = 4, eps = 0.15, tau_a = 0.8, tau_b = 0.8
        // ott-jax sinkhorn_divergence (reg_ot_cost based, not matched): 0.08352318670805975
        static let divergence = 0.10139355275338624
        static let divergenceGradX: [Double] = [
            -0.0021720193507581346, -0.05356046288468172, 0.031950283765785556, 0.023563695596556834,
            -0.03506186801065635, -0.11699290038077512, 0.03197434556608805, -0.18781096711026057, 0.03588517742937319,
            -0.08836893165385623
        ]
        static let divergenceGradY: [Double] = [
            -0.08620714656774664, 0.07895818557126585, -0.046363954030815044, 0.23673064994182227, 0.01354979960980624,
            -0.0662910541518367, 0.056445381588923114, 0.17377178507176536
        ]
        static let divergenceGradA: [Double] = [
            0.04018796534374584, 0.06535282585520409, -0.1561254083856186, 0.04352192825881695, -0.0026305302926511007
        ]
        static let divergenceGradB: [Double] = [
            0.013742450643651954, 0.11807446313008016, -0.06804729177959765, 0.153266303841589
        ]
    }
}
