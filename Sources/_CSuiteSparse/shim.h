// System-library shim: SuiteSparse's LDL (sparse LDL' of quasi-definite matrices) and
// AMD (approximate minimum degree ordering) from Debian's libsuitesparse-dev. Not API.
// The `_l_` entry points take `SuiteSparse_long` (C `long`, Swift `Int` on LP64).
#ifndef IMPLICITDIFF_CSUITESPARSE_SHIM_H
#define IMPLICITDIFF_CSUITESPARSE_SHIM_H
#include <suitesparse/amd.h>
#include <suitesparse/ldl.h>
#endif
