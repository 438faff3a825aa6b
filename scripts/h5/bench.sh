#!/usr/bin/env bash
# bench.sh: h5py vs the Go h5 package, side by side (see bench.py), then the
# peak RSS while streaming the large stack. Usage: scripts/h5/bench.sh [bench.py flags]
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=/usr/local/go/bin:$PATH
/usr/bin/python3 scripts/h5/bench.py "$@"
/usr/bin/python3 scripts/h5/bench.py --stream large --kind lzf
