// System-library shim: GLPK from Debian's libglpk-dev. Not API.
// Only the ImplicitDiffLP target may import it.
#ifndef IMPLICITDIFF_CGLPK_SHIM_H
#define IMPLICITDIFF_CGLPK_SHIM_H
#include <glpk.h>
#include <setjmp.h>
#include <stddef.h>

// Guarded GLPK entry points: every GLPK routine the package calls goes through one of
// the wrappers below.
//
// An error inside GLPK (invalid argument, invalid scale factor, failed internal
// assertion, out of memory) prints a message through GLPK's terminal output, calls the
// error hook and, if the hook returns, aborts the process. GLPK's manual: the hook may
// leave by `longjmp`, after which the application must call `glp_free_env()` (which
// frees every GLPK object of the calling thread). Swift cannot call `setjmp`, so the
// jump target lives here, in C: each wrapper installs a hook that jumps back into the
// wrapper, runs one GLPK routine (or one loop of them), and uninstalls the hook. The
// jump crosses GLPK's C frames only, never a Swift frame. On a fault the wrapper frees
// the thread's GLPK environment and returns IMPLICITDIFF_GLP_FAULT; the caller must
// then treat its `glp_prob` as already deleted. The next GLPK call on the thread starts
// a fresh environment, so the thread stays usable.
//
// Terminal output: GLPK prints to standard output unless a terminal hook takes the text
// (even with `glp_term_out(GLP_OFF)`, an error message is printed: GLPK switches output
// back on before reporting an error). Standard output carries the CLI's JSON, so a hook
// is always installed before any other GLPK call: the caller's (which collects the text
// for error messages) while a problem is alive, `implicitdiff_glp_discard` otherwise.
#define IMPLICITDIFF_GLP_FAULT (-12345)

typedef struct { jmp_buf target; } implicitdiff_glp_guard;

static void implicitdiff_glp_jump(void *info) {
    longjmp(((implicitdiff_glp_guard *)info)->target, 1);
}

/// A terminal hook that drops GLPK's text (returning non-zero tells GLPK not to print it).
static int implicitdiff_glp_discard(void *info, const char *text) {
    (void)info;
    (void)text;
    return 1;
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

/// Installs `hook` (with `info`) as this thread's terminal hook and switches terminal
/// output off; `hook == NULL` installs `implicitdiff_glp_discard`.
static inline void implicitdiff_glp_set_terminal(int (*hook)(void *info, const char *text), void *info) {
    if (hook == NULL) {
        glp_term_hook(implicitdiff_glp_discard, NULL);
    } else {
        glp_term_hook(hook, info);
    }
    glp_term_out(GLP_OFF);
}

/// Switches terminal output on (`on != 0`) or off; the text goes to the installed hook.
static inline void implicitdiff_glp_term_out(int on) {
    glp_term_out(on ? GLP_ON : GLP_OFF);
}

static inline int implicitdiff_glp_create_prob(glp_prob **out) {
    *out = NULL;
    IMPLICITDIFF_GLP_GUARDED((*out = glp_create_prob(), 0))
}

static inline int implicitdiff_glp_delete_prob(glp_prob *P) {
    IMPLICITDIFF_GLP_GUARDED((glp_delete_prob(P), 0))
}

static inline int implicitdiff_glp_set_obj_dir(glp_prob *P, int dir) {
    IMPLICITDIFF_GLP_GUARDED((glp_set_obj_dir(P, dir), 0))
}

static inline int implicitdiff_glp_add_rows_cols(glp_prob *P, int rows, int cols) {
    IMPLICITDIFF_GLP_GUARDED(((rows > 0 ? glp_add_rows(P, rows) : 0), (cols > 0 ? glp_add_cols(P, cols) : 0), 0))
}

static inline int implicitdiff_glp_set_row_bnds(glp_prob *P, int i, int type, double lb, double ub) {
    IMPLICITDIFF_GLP_GUARDED((glp_set_row_bnds(P, i, type, lb, ub), 0))
}

static inline int implicitdiff_glp_set_col_bnds(glp_prob *P, int j, int type, double lb, double ub) {
    IMPLICITDIFF_GLP_GUARDED((glp_set_col_bnds(P, j, type, lb, ub), 0))
}

static inline int implicitdiff_glp_set_obj_coef(glp_prob *P, int j, double coef) {
    IMPLICITDIFF_GLP_GUARDED((glp_set_obj_coef(P, j, coef), 0))
}

static inline int implicitdiff_glp_load_matrix(glp_prob *P, int ne, const int ia[], const int ja[],
                                               const double ar[]) {
    IMPLICITDIFF_GLP_GUARDED((glp_load_matrix(P, ne, ia, ja, ar), 0))
}

static inline int implicitdiff_glp_scale_prob(glp_prob *P, int flags) {
    IMPLICITDIFF_GLP_GUARDED((glp_scale_prob(P, flags), 0))
}

static inline int implicitdiff_glp_std_basis(glp_prob *P) {
    IMPLICITDIFF_GLP_GUARDED((glp_std_basis(P), 0))
}

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

// Bulk readers (one guarded call each). Output arrays are 0-based and may be NULL.

/// Problem-wide figures: rows, columns, direction (GLP_MIN/GLP_MAX), number of integer
/// columns, constant term of the objective.
static inline int implicitdiff_glp_get_dimensions(glp_prob *P, int *rows, int *cols, int *dir, int *integers,
                                                  double *constant) {
    IMPLICITDIFF_GLP_GUARDED((*rows = glp_get_num_rows(P), *cols = glp_get_num_cols(P), *dir = glp_get_obj_dir(P),
                              *integers = glp_get_num_int(P), *constant = glp_get_obj_coef(P, 0), 0))
}

static void implicitdiff_glp_read_rows_body(glp_prob *P, int count, int *type, double *lb, double *ub,
                                            int *stat, double *dual) {
    for (int i = 1; i <= count; i++) {
        if (type) type[i - 1] = glp_get_row_type(P, i);
        if (lb) lb[i - 1] = glp_get_row_lb(P, i);
        if (ub) ub[i - 1] = glp_get_row_ub(P, i);
        if (stat) stat[i - 1] = glp_get_row_stat(P, i);
        if (dual) dual[i - 1] = glp_get_row_dual(P, i);
    }
}

/// Type, bounds, basis status and dual of rows 1...count.
static inline int implicitdiff_glp_read_rows(glp_prob *P, int count, int *type, double *lb, double *ub,
                                             int *stat, double *dual) {
    IMPLICITDIFF_GLP_GUARDED((implicitdiff_glp_read_rows_body(P, count, type, lb, ub, stat, dual), 0))
}

static void implicitdiff_glp_read_cols_body(glp_prob *P, int count, int *type, double *lb, double *ub,
                                            double *obj, int *stat, double *prim) {
    for (int j = 1; j <= count; j++) {
        if (type) type[j - 1] = glp_get_col_type(P, j);
        if (lb) lb[j - 1] = glp_get_col_lb(P, j);
        if (ub) ub[j - 1] = glp_get_col_ub(P, j);
        if (obj) obj[j - 1] = glp_get_obj_coef(P, j);
        if (stat) stat[j - 1] = glp_get_col_stat(P, j);
        if (prim) prim[j - 1] = glp_get_col_prim(P, j);
    }
}

/// Type, bounds, objective coefficient, basis status and primal value of columns 1...count.
static inline int implicitdiff_glp_read_cols(glp_prob *P, int count, int *type, double *lb, double *ub,
                                             double *obj, int *stat, double *prim) {
    IMPLICITDIFF_GLP_GUARDED((implicitdiff_glp_read_cols_body(P, count, type, lb, ub, obj, stat, prim), 0))
}

/// Status (`glp_get_status`), simplex iteration count and objective value.
static inline int implicitdiff_glp_read_status(glp_prob *P, int *status, int *iterations, double *objective) {
    IMPLICITDIFF_GLP_GUARDED((*status = glp_get_status(P), *iterations = glp_get_it_cnt(P),
                              *objective = glp_get_obj_val(P), 0))
}

/// Row `i` (1-based) of the matrix into `ind[1...]`, `val[1...]`; `*length` entries.
static inline int implicitdiff_glp_get_mat_row(glp_prob *P, int i, int ind[], double val[], int *length) {
    IMPLICITDIFF_GLP_GUARDED((*length = glp_get_mat_row(P, i, ind, val), 0))
}

/// Name of row `i` (`kind == 0`), column `i` (`kind == 1`, both 1-based) or of the
/// objective (`kind == 2`); NULL when unnamed. The pointer lives as long as the name.
static inline int implicitdiff_glp_get_name(glp_prob *P, int kind, int i, const char **name) {
    IMPLICITDIFF_GLP_GUARDED((*name = kind == 0 ? glp_get_row_name(P, i)
                                    : kind == 1 ? glp_get_col_name(P, i) : glp_get_obj_name(P), 0))
}

// Sparse loading, glpsol's initial basis, and the basis factorisation (ImplicitDiffLP's
// sparse path: the model goes to GLPK in compressed columns, the vertex and duals are
// recomputed and the derivatives solved with GLPK's own LU of the optimal basis).

/// Loads the matrix from compressed columns (0-based `colStart[0...n]`, `rowIndex`,
/// `value`), one `glp_set_mat_col` per column; `ind`/`val` are scratch of length m + 1.
static inline int implicitdiff_glp_load_columns(glp_prob *P, int n, const int colStart[], const int rowIndex[],
                                                const double value[], int ind[], double val[]) {
    IMPLICITDIFF_GLP_GUARDED((({
        for (int j = 0; j < n; j++) {
            int len = 0;
            for (int e = colStart[j]; e < colStart[j + 1]; e++) {
                len++;
                ind[len] = rowIndex[e] + 1;
                val[len] = value[e];
            }
            glp_set_mat_col(P, j + 1, len, ind, val);
        }
    }), 0))
}

/// Column `j` (1-based) of the matrix into `ind[1...]`, `val[1...]`; `*length` entries.
static inline int implicitdiff_glp_get_mat_col(glp_prob *P, int j, int ind[], double val[], int *length) {
    IMPLICITDIFF_GLP_GUARDED((*length = glp_get_mat_col(P, j, ind, val), 0))
}

/// glpsol's default initial basis (`--adv`): `glp_adv_basis(P, 0)`.
static inline int implicitdiff_glp_adv_basis(glp_prob *P) {
    IMPLICITDIFF_GLP_GUARDED((glp_adv_basis(P, 0), 0))
}

/// Sets the basis statuses of rows 1...m and columns 1...n from 0-based arrays.
static inline int implicitdiff_glp_set_statuses(glp_prob *P, int m, const int rowStat[], int n, const int colStat[]) {
    IMPLICITDIFF_GLP_GUARDED((({
        for (int i = 1; i <= m; i++) glp_set_row_stat(P, i, rowStat[i - 1]);
        for (int j = 1; j <= n; j++) glp_set_col_stat(P, j, colStat[j - 1]);
    }), 0))
}

/// Makes sure the factorisation of the current basis exists (`glp_factorize` unless
/// `glp_bf_exists`); returns 0 or `glp_factorize`'s code (GLP_EBADB, GLP_ESING, GLP_ECOND).
static inline int implicitdiff_glp_factorize(glp_prob *P) {
    IMPLICITDIFF_GLP_GUARDED((glp_bf_exists(P) ? 0 : glp_factorize(P)))
}

/// The basis header: `head[k - 1] = glp_get_bhead(P, k)` for k = 1...m (a value i <= m
/// is row i's auxiliary variable, m + j is column j).
static inline int implicitdiff_glp_basis_header(glp_prob *P, int m, int head[]) {
    IMPLICITDIFF_GLP_GUARDED((({
        for (int k = 1; k <= m; k++) head[k - 1] = glp_get_bhead(P, k);
    }), 0))
}

/// `B x = b` (`transposed == 0`) or `B' x = b` in place on `x[1...m]` (`x[0]` unused),
/// with B the basis matrix of the augmented `(I | -A)` in the problem's own (unscaled)
/// terms; needs the factorisation (`implicitdiff_glp_factorize`).
static inline int implicitdiff_glp_solve_basis(glp_prob *P, int transposed, double x[]) {
    IMPLICITDIFF_GLP_GUARDED(((transposed ? glp_btran(P, x) : glp_ftran(P, x)), 0))
}

// Deliberately triggers a GLPK error (an out-of-range row index) under the guard:
// lets tests prove that a GLPK error returns IMPLICITDIFF_GLP_FAULT instead of aborting.
static inline int implicitdiff_glp_provoke_error(glp_prob *P) {
    IMPLICITDIFF_GLP_GUARDED((glp_set_row_bnds(P, glp_get_num_rows(P) + 1, GLP_FX, 0.0, 0.0), 0))
}

#undef IMPLICITDIFF_GLP_GUARDED
#endif
