// h5c.c: see h5c.h. Hand-written C because gonum/hdf5 has no binding for
// these calls and cgo cannot expand HDF5's constant macros.
#include "h5c.h"
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <lzf.h>
#include <zlib.h>

hid_t xh_p_default(void) { return H5P_DEFAULT; }
hid_t xh_p_file_access(void) { return H5P_FILE_ACCESS; }
hid_t xh_p_dataset_create(void) { return H5P_DATASET_CREATE; }
hid_t xh_p_link_create(void) { return H5P_LINK_CREATE; }
hid_t xh_p_dataset_xfer(void) { return H5P_DATASET_XFER; }
hid_t xh_space_all(void) { return H5S_ALL; }

int xh_obj_type(hid_t loc, const char *name) {
#if H5_VERSION_GE(1, 12, 0)
	H5O_info2_t info;
	if (H5Oget_info_by_name3(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return -1;
#else
	H5O_info_t info;
	if (H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return -1;
#endif
	return (int)info.type;
}

int xh_obj_key(hid_t loc, const char *name, unsigned long *fileno, unsigned char key[16]) {
	memset(key, 0, 16);
#if H5_VERSION_GE(1, 12, 0)
	H5O_info2_t info;
	if (H5Oget_info_by_name3(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return -1;
	memcpy(key, &info.token, sizeof(info.token) < 16 ? sizeof(info.token) : 16);
#else
	H5O_info_t info;
	if (H5Oget_info_by_name2(loc, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) return -1;
	memcpy(key, &info.addr, sizeof(info.addr));
#endif
	*fileno = info.fileno;
	return (int)info.type;
}

int xh_obj_addr(hid_t obj, haddr_t *addr) {
#if H5_VERSION_GE(1, 12, 0)
	H5O_info2_t info;
	if (H5Oget_info3(obj, &info, H5O_INFO_BASIC) < 0) return -1;
	if (H5VLnative_token_to_addr(obj, info.token, addr) < 0) return -1;
#else
	H5O_info_t info;
	if (H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0) return -1;
	*addr = info.addr;
#endif
	return 0;
}

int xh_link_by_idx(hid_t g, hsize_t idx, char *buf, size_t n, size_t *len) {
#if H5_VERSION_GE(1, 12, 0)
	H5L_info2_t info;
	if (H5Lget_info_by_idx2(g, ".", H5_INDEX_NAME, H5_ITER_INC, idx, &info, H5P_DEFAULT) < 0) return -1;
#else
	H5L_info_t info;
	if (H5Lget_info_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, idx, &info, H5P_DEFAULT) < 0) return -1;
#endif
	*len = 0;
	if (n > 0) buf[0] = 0;
	if (info.type == H5L_TYPE_HARD) return (int)info.type;
	size_t vs = info.u.val_size;
	if (vs == 0 || vs > (1u << 20)) return (int)info.type;
	char *val = malloc(vs);
	if (val == NULL) return (int)info.type;
	if (H5Lget_val_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, idx, val, vs, H5P_DEFAULT) < 0) {
		free(val);
		return (int)info.type;
	}
	const char *a = val, *b = NULL;
	if (info.type == H5L_TYPE_EXTERNAL) {
		unsigned flags;
		const char *file = NULL, *obj = NULL;
		if (H5Lunpack_elink_val(val, vs, &flags, &file, &obj) < 0) {
			free(val);
			return (int)info.type;
		}
		a = file;
		b = obj;
	}
	size_t k = 0;
	for (const char *p = a; p && *p && p < val + vs && k + 1 < n; p++) buf[k++] = *p;
	if (b) {
		if (k + 1 < n) buf[k++] = ':';
		for (const char *p = b; *p && p < val + vs && k + 1 < n; p++) buf[k++] = *p;
	}
	if (n > 0) buf[k] = 0;
	*len = k;
	free(val);
	return (int)info.type;
}

hid_t xh_native(int code) {
	switch (code) {
	case 1: return H5T_NATIVE_INT8;
	case 2: return H5T_NATIVE_UINT8;
	case 3: return H5T_NATIVE_INT16;
	case 4: return H5T_NATIVE_UINT16;
	case 5: return H5T_NATIVE_INT32;
	case 6: return H5T_NATIVE_UINT32;
	case 7: return H5T_NATIVE_INT64;
	case 8: return H5T_NATIVE_UINT64;
	case 9: return H5T_NATIVE_FLOAT;
	case 10: return H5T_NATIVE_DOUBLE;
	}
	return -1;
}

hid_t xh_vlen_str(void) {
	hid_t t = H5Tcopy(H5T_C_S1);
	if (t < 0) return t;
	H5Tset_size(t, H5T_VARIABLE);
	H5Tset_cset(t, H5T_CSET_UTF8);
	return t;
}

void xh_errors_off(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/* xh_cloexec marks the POSIX file descriptor behind file fid (the default
 * sec2 driver) close-on-exec: libhdf5 opens files without O_CLOEXEC, so a
 * child process started while the file is open would inherit the
 * descriptor and, with it, the file's flock lock, and the next exclusive
 * open of the file fails with EAGAIN until the child exits. 0 or -1. */
int xh_cloexec(hid_t fid) {
	void *h = NULL;
	if (H5Fget_vfd_handle(fid, H5P_DEFAULT, &h) < 0 || h == NULL) {
		H5Eclear2(H5E_DEFAULT);
		return -1;
	}
	int fd = *(int *)h;
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0) return -1;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

typedef struct { char *buf; size_t n; size_t used; } walkbuf;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
	walkbuf *w = (walkbuf *)data;
	const char *d = e->desc ? e->desc : "";
	if (!*d) return 0;
	if (w->used > 0 && strstr(w->buf, d) != NULL) return 0; /* drop repeats */
	size_t need = strlen(d) + (w->used ? 2 : 0);
	if (w->used + need + 1 > w->n) return 0;
	if (w->used) { memcpy(w->buf + w->used, ": ", 2); w->used += 2; }
	memcpy(w->buf + w->used, d, strlen(d));
	w->used += strlen(d);
	w->buf[w->used] = 0;
	return 0;
}

void xh_error_message(char *buf, size_t n) {
	walkbuf w = {buf, n, 0};
	if (n) buf[0] = 0;
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &w);
	H5Eclear2(H5E_DEFAULT);
}

/* ---- LZF filter (h5py's filter 32000, same cd_values and framing: a chunk is
   one raw lzf_compress block; cd_values = {filter version 4, LZF_VERSION,
   uncompressed chunk bytes}). Compiled in and linked against liblzf so that
   reading LZF needs neither the Debian plugin nor LD_PRELOAD. ---- */

static herr_t lzf_set_local(hid_t dcpl, hid_t type, hid_t space) {
	unsigned flags = 0;
	size_t nelem = 8;
	unsigned values[8] = {0};
	hsize_t chunk[32];
	(void)space;
	if (H5Pget_filter_by_id2(dcpl, XPCS_FILTER_LZF, &flags, &nelem, values, 0, NULL, NULL) < 0) return -1;
	if (nelem < 3) nelem = 3;
	if (values[0] == 0) values[0] = 4;
	if (values[1] == 0) values[1] = LZF_VERSION;
	int nd = H5Pget_chunk(dcpl, 32, chunk);
	if (nd < 0) return -1;
	size_t size = H5Tget_size(type);
	if (size == 0) return -1;
	for (int i = 0; i < nd; i++) size *= chunk[i];
	values[2] = (unsigned)size;
	if (H5Pmodify_filter(dcpl, XPCS_FILTER_LZF, flags, nelem, values) < 0) return -1;
	return 1;
}

static size_t lzf_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
                         size_t *buf_size, void **buf) {
	void *out = NULL;
	size_t outsize;
	unsigned status;
	if (!(flags & H5Z_FLAG_REVERSE)) {
		outsize = nbytes;
		out = malloc(outsize);
		if (!out) return 0;
		status = lzf_compress(*buf, (unsigned)nbytes, out, (unsigned)outsize);
		if (!status) { free(out); return 0; } /* incompressible: optional filter is skipped */
	} else {
		outsize = (cd_nelmts >= 3 && cd_values[2] != 0) ? cd_values[2] : *buf_size;
		for (int tries = 0;; tries++) {
			out = malloc(outsize);
			if (!out) return 0;
			errno = 0;
			status = lzf_decompress(*buf, (unsigned)nbytes, out, (unsigned)outsize);
			if (status) break;
			free(out);
			if (errno == E2BIG && tries < 32) { outsize += *buf_size; continue; }
			return 0;
		}
	}
	free(*buf);
	*buf = out;
	*buf_size = outsize;
	return status;
}

static const H5Z_class2_t lzf_class = {
	H5Z_CLASS_T_VERS, (H5Z_filter_t)XPCS_FILTER_LZF, 1, 1, "lzf (xpcs-perf built-in, liblzf)",
	NULL, (H5Z_set_local_func_t)lzf_set_local, (H5Z_func_t)lzf_filter,
};

int xh_register_lzf(void) { return H5Zregister(&lzf_class) < 0 ? -1 : 0; }

/* A do-nothing filter used by tests to make files whose filter is later "not installed". */
static size_t dummy_filter(unsigned flags, size_t cd_nelmts, const unsigned cd_values[], size_t nbytes,
                           size_t *buf_size, void **buf) {
	(void)flags; (void)cd_nelmts; (void)cd_values; (void)buf_size; (void)buf;
	return nbytes;
}

int xh_test_register_dummy(int id) {
	H5Z_class2_t c = {H5Z_CLASS_T_VERS, (H5Z_filter_t)id, 1, 1, "xpcs-test-dummy", NULL, NULL, (H5Z_func_t)dummy_filter};
	return H5Zregister(&c) < 0 ? -1 : 0;
}
int xh_test_unregister_dummy(int id) { return H5Zunregister((H5Z_filter_t)id) < 0 ? -1 : 0; }

/* ---- decoders: no HDF5 state, safe on many threads ---- */

int xh_inflate(const void *src, size_t n, void *dst, size_t dn, size_t *out) {
	uLongf dlen = (uLongf)dn;
	int r = uncompress((Bytef *)dst, &dlen, (const Bytef *)src, (uLong)n);
	*out = (size_t)dlen;
	return r; /* Z_OK == 0 */
}

int xh_deflate(const void *src, size_t n, void *dst, size_t dn, int level, size_t *out) {
	uLongf dlen = (uLongf)dn;
	int r = compress2((Bytef *)dst, &dlen, (const Bytef *)src, (uLong)n, level);
	*out = (size_t)dlen;
	return r;
}

int xh_lzf_decompress(const void *src, size_t n, void *dst, size_t dn, size_t *out) {
	errno = 0;
	unsigned r = lzf_decompress(src, (unsigned)n, dst, (unsigned)dn);
	*out = r;
	if (r == 0) return errno ? errno : -1;
	return 0;
}

int xh_lzf_compress(const void *src, size_t n, void *dst, size_t dn, size_t *out) {
	unsigned r = lzf_compress(src, (unsigned)n, dst, (unsigned)dn);
	*out = r;
	return r == 0 ? -1 : 0;
}

/* ---- variable-length strings ---- */

herr_t xh_read_strings(hid_t obj, int is_attr, size_t n, char **out) {
	hid_t mt = xh_vlen_str();
	if (mt < 0) return -1;
	herr_t r;
	if (is_attr) r = H5Aread(obj, mt, out);
	else r = H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
	H5Tclose(mt);
	(void)n;
	return r;
}

herr_t xh_write_vlen_string_attr(hid_t loc, const char *name, const char *value) {
	hid_t mt = xh_vlen_str();
	if (mt < 0) return -1;
	hid_t sp = H5Screate(H5S_SCALAR);
	if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
	hid_t a = H5Acreate2(loc, name, mt, sp, H5P_DEFAULT, H5P_DEFAULT);
	herr_t r = -1;
	if (a >= 0) {
		r = H5Awrite(a, mt, &value);
		H5Aclose(a);
	}
	H5Sclose(sp);
	H5Tclose(mt);
	return r;
}

/* h5py's bool: enum of int8 {FALSE = 0, TRUE = 1}. */
hid_t xh_bool_enum(void) {
	hid_t t = H5Tenum_create(H5T_NATIVE_INT8);
	if (t < 0) return t;
	signed char v = 0;
	H5Tenum_insert(t, "FALSE", &v);
	v = 1;
	H5Tenum_insert(t, "TRUE", &v);
	return t;
}
