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
static inline hid_t ki_h5p_link_access(void) { return H5P_LINK_ACCESS; }
static inline hid_t ki_h5p_group_access(void) { return H5P_GROUP_ACCESS; }
static inline hid_t ki_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline unsigned ki_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline size_t ki_h5t_variable(void) { return H5T_VARIABLE; }

// Link names of one group in a single pass. H5Lget_name_by_idx walks an old-style group's
// B-tree from the start on every call, so listing n links that way costs O(n^2) (20,000 links:
// 2.2 s, against 2 ms for one iteration). H5Literate is a versioned macro from 1.12 on (with a
// different info struct), which Swift cannot see; in C it resolves on every version.
typedef int (*ki_link_name_visitor)(const char *name, void *context);
typedef struct { ki_link_name_visitor visit; void *context; } ki_link_name_visit;

static inline herr_t ki_h5l_visit_name(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)group;
    (void)info;
    const ki_link_name_visit *visit = (const ki_link_name_visit *)data;
    return visit->visit(name, visit->context);
}

static inline herr_t ki_h5l_iterate_names(hid_t group, ki_link_name_visitor visitor, void *context) {
    ki_link_name_visit visit = { visitor, context };
    hsize_t position = 0;
    return H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &position, ki_h5l_visit_name, &visit);
}

// External links name another file (any path on the machine, a FIFO that blocks forever),
// which libhdf5 would open while resolving a path. Keras never writes them, so traversal is
// refused; the pushed message (a variadic call, which Swift cannot make) says why in the error.
static inline herr_t ki_h5l_refuse_external(const char *parent_file, const char *parent_group,
                                            const char *child_file, const char *child_object,
                                            unsigned *access_flags, hid_t access_list, void *data) {
    (void)parent_file;
    (void)parent_group;
    (void)access_flags;
    (void)access_list;
    (void)data;
    H5Epush2(H5E_DEFAULT, __FILE__, __func__, __LINE__, H5E_ERR_CLS, H5E_LINK, H5E_TRAVERSE,
             "external link to %s in file %s not followed", child_object, child_file);
    return -1;
}

static inline herr_t ki_h5p_refuse_external_links(hid_t access_list) {
    return H5Pset_elink_cb(access_list, ki_h5l_refuse_external, NULL);
}

// The kind of the link `name` in `group` without following it: H5L_TYPE_HARD (0),
// H5L_TYPE_SOFT (1), H5L_TYPE_EXTERNAL (64), another user-defined type, or -1. H5Lget_info
// is a versioned macro from 1.12 on, which Swift cannot see; in C it resolves everywhere.
static inline int ki_h5l_kind(hid_t group, const char *name) {
    H5L_info_t info;
    if (H5Lget_info(group, name, &info, H5P_DEFAULT) < 0) return -1;
    return (int)info.type;
}

// Every link below `group`, recursively, each once: libhdf5 visits each group a single
// time, so hard-link cycles end. The visitor gets the path from `group` and the link type;
// a positive return stops the walk. H5Lvisit is a versioned macro from 1.12 on.
typedef int (*ki_link_visitor)(const char *name, int type, void *context);
typedef struct { ki_link_visitor visit; void *context; } ki_link_visit_all;

static inline herr_t ki_h5l_visit_all_one(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)group;
    const ki_link_visit_all *visit = (const ki_link_visit_all *)data;
    return visit->visit(name, (int)info->type, visit->context);
}

static inline herr_t ki_h5l_visit_all(hid_t group, ki_link_visitor visitor, void *context) {
    ki_link_visit_all visit = { visitor, context };
    return H5Lvisit(group, H5_INDEX_NAME, H5_ITER_INC, ki_h5l_visit_all_one, &visit);
}

// Where a dataset's values live: 0 in this file, 1 a virtual dataset (mapped from other
// files), 2 external raw-data files (any path on the machine), -1 unknown.
static inline int ki_h5d_storage_kind(hid_t dataset) {
    hid_t plist = H5Dget_create_plist(dataset);
    if (plist < 0) return -1;
    int kind = 0;
    if (H5Pget_layout(plist) == H5D_VIRTUAL) kind = 1;
    else if (H5Pget_external_count(plist) > 0) kind = 2;
    H5Pclose(plist);
    return kind;
}

#endif
