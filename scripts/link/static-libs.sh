#!/bin/sh
# static-libs.sh DIR [BINARY...]: what the Makefile's release builds link statically (ARCHITECTURE.md, "Memory and CPU"), in DIR:
#   libgps.a       Debian's libgps.a (libgps-dev) without its D-Bus member, with scripts/link/gps-nodbus.c's two
#                  definitions in its place;
#   libstdc++.a    a link to the compiler's static libstdc++ (the Swift runtime's C++ part needs it);
#   libswiftCore.a the toolchain's Swift runtime archive with its Swift code (the member Swift.o, whose 1.6 MB
#                  .text is one section) split into a section per function by split-text.py and checked by
#                  check-split.py, so that the link orders and drops the standard library's functions as it does
#                  the program's (done again only when the toolchain's archive or the scripts change);
#   pkgconfig/libgps.pc  libgps's pkg-config file pointing the link at DIR.
# The release builds run with PKG_CONFIG_PATH=DIR/pkgconfig: SwiftPM then puts `-LDIR` first on the link line, and
# the `-lgps` of CGPS's module map and the runtime's `-lstdc++` and `-lswiftCore` find these archives before the
# shared libraries and the toolchain's own.
# The binary then needs neither libgps28 (nor the D-Bus, systemd, gcrypt and compression libraries it pulls in) nor
# libstdc++6 at run time. Run on every release build: it is quick, and it picks up an upgraded libgps-dev. SwiftPM
# does not know these archives (nor the order file and linker script of scripts/orderfile) are inputs of its link,
# so when one changes, the BINARYs (the release executables) are removed: the next build links them again.
set -eu
dir=${1:?usage: static-libs.sh DIR [BINARY...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
gps=$($CC -print-file-name=libgps.a)
cxx=$($CC -print-file-name=libstdc++.a)
case $gps in /*) ;; *) echo "static-libs.sh: libgps.a not found (Debian's libgps-dev; make deps installs it)" >&2; exit 1;; esac
case $cxx in /*) ;; *) echo "static-libs.sh: libstdc++.a not found (Debian's libstdc++-12-dev, which g++ brings)" >&2; exit 1;; esac
mkdir -p "$dir/pkgconfig"
tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
$CC -c -O2 -fPIC -Wall -Wextra -Werror -o "$tmp/gps-nodbus.o" "$here/gps-nodbus.c"
cp "$gps" "$tmp/libgps.a"
if ar t "$tmp/libgps.a" | grep -qx libgps_dbus.o; then ar d "$tmp/libgps.a" libgps_dbus.o; fi
ar r "$tmp/libgps.a" "$tmp/gps-nodbus.o"
# The same version and include path as the system's libgps.pc, so the compile commands do not change.
printf 'Name: GPSD\nDescription: libgps without D-Bus, linked statically (scripts/link/static-libs.sh)\nVersion: %s\nCflags: -I%s\nLibs: -L%s -lgps\n' \
	"$(pkg-config --modversion libgps)" "$(pkg-config --variable=includedir libgps)" "$dir" > "$tmp/libgps.pc"
# Replace a file only when it changed, so an unchanged one keeps its time stamp.
changed=0
for f in libgps.a pkgconfig/libgps.pc; do
	cmp -s "$tmp/$(basename $f)" "$dir/$f" || { mv "$tmp/$(basename $f)" "$dir/$f"; changed=1; }
done
[ "$(readlink "$dir/libstdc++.a" 2>/dev/null)" = "$cxx" ] || { ln -sfn "$cxx" "$dir/libstdc++.a"; changed=1; }
# The Swift runtime's archive, its Swift code split into a section per function.
swiftc=$(command -v swiftc) || { echo "static-libs.sh: swiftc not found on PATH" >&2; exit 1; }
toolbin=$(dirname "$(readlink -f "$swiftc")")
core=${SWIFT_STATIC_CORE:-$toolbin/../lib/swift_static/linux/libswiftCore.a}
[ -f "$core" ] || { echo "static-libs.sh: $core not found (the toolchain's static Swift runtime)" >&2; exit 1; }
(cksum < "$core"; cd "$here" && cksum split-text.py check-split.py x86refs.py) > "$tmp/core-inputs"
if ! cmp -s "$tmp/core-inputs" "$dir/core-inputs" || [ ! -f "$dir/libswiftCore.a" ]; then
	mkdir "$tmp/core"
	(cd "$tmp/core" && ar x "$core" Swift.o && mv Swift.o original.o)
	/usr/bin/python3 "$here/split-text.py" "$tmp/core/original.o" "$tmp/core/Swift.o"
	PATH=$toolbin:$PATH /usr/bin/python3 "$here/check-split.py" "$tmp/core/original.o" "$tmp/core/Swift.o"
	cp "$core" "$tmp/libswiftCore.a"
	(cd "$tmp/core" && ar r "$tmp/libswiftCore.a" Swift.o 2>&1) || exit 1
	mv "$tmp/libswiftCore.a" "$dir/libswiftCore.a"
	mv "$tmp/core-inputs" "$dir/core-inputs"
	changed=1
fi
# The link's other inputs SwiftPM does not track: the function order and the linker scripts.
(cd "$here/../orderfile" && cksum meridiand.order helpers.ld shared.ld) > "$tmp/link-inputs"
cmp -s "$tmp/link-inputs" "$dir/link-inputs" || { mv "$tmp/link-inputs" "$dir/link-inputs"; changed=1; }
if [ $changed = 1 ] && [ $# -gt 0 ]; then rm -f "$@"; fi
