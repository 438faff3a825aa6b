// h5c.h declares the small C helpers of package h5: accessors for HDF5's
// macro constants (cgo cannot evaluate them), the error-stack collector, the
// built-in LZF filter and the chunk decoders called outside the HDF5 lock.
#ifndef XPCS_H5C_H
#define XPCS_H5C_H

#include <stdint.h>
#include <stdlib.h>
#include <hdf5.h>

#define XPCS_FILTER_LZF 32000
#define XPCS_FILTER_BSHUF 32008

hid_t xh_p_default(void);
hid_t xh_p_file_access(void);
hid_t xh_p_dataset_create(void);
hid_t xh_p_link_create(void);
hid_t xh_p_dataset_xfer(void);
hid_t xh_native(int code);
hid_t xh_vlen_str(void);
hid_t xh_space_all(void);
/* xh_obj_type returns the H5O_type_t of the object at name, or -1. */
int xh_obj_type(hid_t loc, const char *name);

/* xh_obj_key fills fileno and key (the object's address, or its token
   from HDF5 1.12 on) of the object at name and returns its H5O_type_t, or -1. */
int xh_obj_key(hid_t loc, const char *name, unsigned long *fileno, unsigned char key[16]);
/* xh_obj_addr stores the address of obj's object header (relative to the
   file's base address, as in the file format) in *addr; 0 or -1. */
int xh_obj_addr(hid_t obj, haddr_t *addr);
/* xh_link_by_idx returns the H5L_type_t of the n-th link of group g in name
   order (-1 on error) and, for soft and external links, copies the target
   (external: "file:object") into buf (truncated to n bytes) and its length to *len. */
int xh_link_by_idx(hid_t g, hsize_t idx, char *buf, size_t n, size_t *len);

void xh_errors_off(void);
int xh_cloexec(hid_t fid);
/* xh_error_message copies libhdf5's current error stack (innermost last) into buf and clears it. */
void xh_error_message(char *buf, size_t n);

int xh_register_lzf(void);
int xh_test_register_dummy(int id);
int xh_test_unregister_dummy(int id);

/* decoders, thread-safe, no HDF5 calls */
int xh_inflate(const void *src, size_t n, void *dst, size_t dn, size_t *out);
int xh_lzf_decompress(const void *src, size_t n, void *dst, size_t dn, size_t *out);
int xh_deflate(const void *src, size_t n, void *dst, size_t dn, int level, size_t *out);
int xh_lzf_compress(const void *src, size_t n, void *dst, size_t dn, size_t *out);

herr_t xh_read_strings(hid_t obj, int is_attr, size_t n, char **out);
herr_t xh_write_vlen_string_attr(hid_t loc, const char *name, const char *value);


hid_t xh_bool_enum(void);
#endif
