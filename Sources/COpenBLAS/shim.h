#ifndef KERASINSPECT_COPENBLAS_SHIM_H
#define KERASINSPECT_COPENBLAS_SHIM_H
#include <cblas.h>

// Declared by OpenBLAS' own cblas.h; repeated here so the module also builds against headers
// that omit them. Both control the library's worker threads.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

#endif
