#ifndef KERASINSPECT_CZLIB_SHIM_H
#define KERASINSPECT_CZLIB_SHIM_H
#include <zlib.h>

// inflateInit2 is a macro Swift cannot import; raw DEFLATE (zip method 8) uses windowBits -15.
static inline int ki_inflate_init_raw(z_stream *stream) {
    return inflateInit2(stream, -15);
}

#endif
