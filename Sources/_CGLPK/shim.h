// System-library shim: GLPK from Debian's libglpk-dev. Not API.
// Only the ImplicitDiffQP target may import it.
#ifndef IMPLICITDIFF_CGLPK_SHIM_H
#define IMPLICITDIFF_CGLPK_SHIM_H
#include <glpk.h>
#include <setjmp.h>

// Guarded GLPK entry points.
//
// An error inside GLPK (invalid argument, failed internal assertion, out of memory)
// calls the error hook and, if the hook returns, aborts the process. GLPK's manual:
// the hook may leave by `longjmp`, after which the application must call
// `glp_free_env()` (which frees every GLPK object of the calling thread). Swift cannot
// call `setjmp`, so the jump target lives here, in C: each wrapper installs a hook that
// jumps back into the wrapper, runs one GLPK routine, and uninstalls the hook. The
// jump crosses GLPK's C frames only, never a Swift frame. On a fault the wrapper frees
// the thread's GLPK environment and returns IMPLICITDIFF_GLP_FAULT; the caller must
// then treat its `glp_prob` as already deleted.
#define IMPLICITDIFF_GLP_FAULT (-12345)

typedef struct { jmp_buf target; } implicitdiff_glp_guard;

static void implicitdiff_glp_jump(void *info) {
    longjmp(((implicitdiff_glp_guard *)info)->target, 1);
}

#define IMPLICITDIFF_GLP_GUARDED(call)                         \
    implicitdiff_glp_guard guard;                              \
    if (setjmp(guard.target) != 0) {                           \
        glp_free_env();                                        \
        return IMPLICITDIFF_GLP_FAULT;                         \
    }                                                          \
    glp_error_hook(implicitdiff_glp_jump, &guard);             \
    int result = (call);                                       \
    glp_error_hook(NULL, NULL);                                \
    return result;

static inline int implicitdiff_glp_simplex(glp_prob *P, const glp_smcp *parm) {
    IMPLICITDIFF_GLP_GUARDED(glp_simplex(P, parm))
}

static inline int implicitdiff_glp_exact(glp_prob *P, const glp_smcp *parm) {
    IMPLICITDIFF_GLP_GUARDED(glp_exact(P, parm))
}

static inline int implicitdiff_glp_read_mps(glp_prob *P, int fmt, const char *fname) {
    IMPLICITDIFF_GLP_GUARDED(glp_read_mps(P, fmt, NULL, fname))
}

static inline int implicitdiff_glp_read_lp(glp_prob *P, const char *fname) {
    IMPLICITDIFF_GLP_GUARDED(glp_read_lp(P, NULL, fname))
}

static inline int implicitdiff_glp_load_matrix(glp_prob *P, int ne, const int ia[], const int ja[],
                                               const double ar[]) {
    IMPLICITDIFF_GLP_GUARDED((glp_load_matrix(P, ne, ia, ja, ar), 0))
}

// Deliberately triggers a GLPK error (an out-of-range row index) under the guard:
// lets tests prove that a GLPK error returns IMPLICITDIFF_GLP_FAULT instead of aborting.
static inline int implicitdiff_glp_provoke_error(glp_prob *P) {
    IMPLICITDIFF_GLP_GUARDED((glp_set_row_bnds(P, glp_get_num_rows(P) + 1, GLP_FX, 0.0, 0.0), 0))
}

#undef IMPLICITDIFF_GLP_GUARDED
#endif
