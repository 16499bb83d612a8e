// System-library shim: GLPK from Debian's libglpk-dev. Not API.
// Only the ImplicitDiffQP target may import it.
#ifndef IMPLICITDIFF_CGLPK_SHIM_H
#define IMPLICITDIFF_CGLPK_SHIM_H
#include <glpk.h>
#endif
