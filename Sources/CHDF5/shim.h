#ifndef KERASINSPECT_CHDF5_SHIM_H
#define KERASINSPECT_CHDF5_SHIM_H
#include <hdf5.h>

// Swift cannot import macros that expand to function calls; these wrappers make the
// predefined types and property-list classes callable (each initialises the library first).
static inline hid_t ki_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t ki_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t ki_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t ki_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t ki_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline unsigned ki_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline size_t ki_h5t_variable(void) { return H5T_VARIABLE; }

#endif
