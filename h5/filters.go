package h5

/*
#include "h5c.h"
*/
import "C"

import (
	"fmt"
	"os"

	"gonum.org/v1/hdf5"
)

// missingFilterLocked returns an error naming the first filter of dataset
// id's pipeline that libhdf5 cannot apply, or nil (lib held).
func missingFilterLocked(id C.hid_t) error {
	dcpl := C.H5Dget_create_plist(id)
	if dcpl < 0 {
		C.H5Eclear2(C.H5E_DEFAULT)
		return nil
	}
	defer C.H5Pclose(dcpl)
	_, filters := layoutLocked(dcpl)
	for _, f := range filters {
		if C.H5Zfilter_avail(C.H5Z_filter_t(f.ID)) <= 0 {
			C.H5Eclear2(C.H5E_DEFAULT)
			dir := os.Getenv("HDF5_PLUGIN_PATH")
			if dir == "" {
				dir = "/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins (default)"
			}
			return fmt.Errorf("%w: filter %d %q is not built in and no plugin for it was found in HDF5_PLUGIN_PATH=%s", ErrFilterUnavailable, f.ID, f.Name, dir)
		}
	}
	return nil
}

// readFailedLocked builds the error of a failed H5Dread on dataset id: a
// missing filter when that is the cause, libhdf5's message otherwise.
func readFailedLocked(id C.hid_t) error {
	msg := lastError()
	if err := missingFilterLocked(id); err != nil {
		return fmt.Errorf("%w (libhdf5: %s)", err, msg)
	}
	return fmt.Errorf("%s", msg)
}

// writeWithFilterForTest creates path holding a small uint16 dataset at name
// whose pipeline has filter id, registered only while writing, so that
// reading it later finds the filter missing. Tests only.
func writeWithFilterForTest(path, name string, id int) error {
	lockLib()
	defer lib.Unlock()
	if C.xh_test_register_dummy(C.int(id)) < 0 {
		return fmt.Errorf("register: %s", lastError())
	}
	defer C.xh_test_unregister_dummy(C.int(id))
	gf, err := hdf5.CreateFile(path, hdf5.F_ACC_TRUNC)
	if err != nil {
		return fmt.Errorf("create: %s", lastError())
	}
	defer gf.Close()
	f := newFile(gf, path, true)
	fid := f.id
	if err := f.ensureGroupsLocked("write", name); err != nil {
		return err
	}
	dims := []C.hsize_t{2, 4, 4}
	sp := C.H5Screate_simple(3, &dims[0], nil)
	defer C.H5Sclose(sp)
	dcpl := C.H5Pcreate(C.xh_p_dataset_create())
	defer C.H5Pclose(dcpl)
	chunk := []C.hsize_t{1, 4, 4}
	C.H5Pset_chunk(dcpl, 3, &chunk[0])
	if C.H5Pset_filter(dcpl, C.H5Z_filter_t(id), C.H5Z_FLAG_MANDATORY, 0, nil) < 0 {
		return fmt.Errorf("set filter: %s", lastError())
	}
	cn, freen := cstr(name)
	defer freen()
	did := C.H5Dcreate2(fid, cn, Uint16.native(), sp, C.xh_p_default(), dcpl, C.xh_p_default())
	if did < 0 {
		return fmt.Errorf("create dataset: %s", lastError())
	}
	defer C.H5Dclose(did)
	data := make([]uint16, 32)
	if C.H5Dwrite(did, Uint16.native(), C.xh_space_all(), C.xh_space_all(), C.xh_p_default(), unsafePtr(data)) < 0 {
		return fmt.Errorf("write: %s", lastError())
	}
	return nil
}
