// System-library shim: OpenBLAS (CBLAS) and LAPACKE from Debian's
// libopenblas-dev and liblapacke-dev. Not API.
#ifndef IMPLICITDIFF_CLAPACK_SHIM_H
#define IMPLICITDIFF_CLAPACK_SHIM_H
#include <cblas.h>
#include <lapacke.h>
// `lapack_int` is a macro Swift cannot see; name the type once here.
typedef lapack_int implicitdiff_lapack_int;
#endif
