#!/usr/bin/python3
"""check-split.py ORIGINAL.o SPLIT.o: check split-text.py's output against its input, by linking each into a shared
object (the split one with its functions in reverse order, so that every reference it got wrong points elsewhere;
symbols the object does not define resolve to 0 in both: the link runs with --noinhibit-exec) and comparing what
every reference resolves to, named as (the nearest symbol at or before it, the distance from there) in code and
(section, offset) in data:
- every instruction's PC-relative branch or operand;
- every relocated data field: an 8-byte pointer (witness tables, metadata), a 4-byte self-relative one (unwind
  tables, Swift's metadata sections), or a jump-table entry (relative to the nearest table start code reads).
Exits 1 when any differs (it prints up to 20) or when the split link's order is the original's (nothing tested)."""
import bisect
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from x86refs import instructions  # noqa: E402


def link(obj, out, order=None):
    cmd = ["ld.lld", "-shared", "-Bsymbolic", "--apply-dynamic-relocs", "--unresolved-symbols=ignore-all",
           "--noinhibit-exec", "--emit-relocs", "-z", "notext", "-o", out, obj]
    if order:
        cmd += ["--symbol-ordering-file", order, "--no-warn-symbol-ordering"]
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not os.path.exists(out):
        sys.exit(f"check-split.py: the link of {obj} failed: {' '.join(cmd)}")


def sections(path):
    out = subprocess.run(["readelf", "-SW", path], capture_output=True, text=True, check=True).stdout
    secs = {}
    for line in out.splitlines():
        f = line.replace("[ ", "[").split()
        if len(f) > 6 and f[0].startswith("[") and f[0] != "[Nr]" and f[1] != "NULL":
            secs[f[1]] = (int(f[3], 16), int(f[4], 16), int(f[5], 16))  # address, file offset, size
    return secs


def symbols(path):
    out = subprocess.run(["nm", "--defined-only", path], capture_output=True, text=True, check=True).stdout
    return sorted((int(f[0], 16), f[2]) for f in (l.split() for l in out.splitlines()) if len(f) == 3 and f[1] in "tT")


def unnamed_offsets(split):
    """split-text.py's names for the functions without a symbol, with their offsets in the original .text."""
    out = subprocess.run(["nm", split], capture_output=True, text=True, check=True).stdout
    return [(int(n[len("swiftcore_unnamed_"):], 16), n) for n in (l.split()[-1] for l in out.splitlines() if l.strip())
            if n.startswith("swiftcore_unnamed_")]


def text_base(original, image):
    """Where the original object's .text starts in a link of it: a function symbol's address less its offset."""
    out = subprocess.run(["readelf", "-SW", original], capture_output=True, text=True, check=True).stdout
    index = next(l.split("]")[0].split("[")[1].strip() for l in out.splitlines() if "] .text " in l)
    out = subprocess.run(["readelf", "-sW", original], capture_output=True, text=True, check=True).stdout
    where = dict((n, a) for a, n in image.syms)
    for line in out.splitlines():
        f = line.split()
        if len(f) == 8 and f[3] == "FUNC" and f[6] == index and f[7] in where:
            return where[f[7]] - int(f[1], 16)
    sys.exit("check-split.py: no function of the original's .text found in its link")


class Image:
    def __init__(self, path):
        self.data = open(path, "rb").read()
        self.secs = sections(path)
        self.syms = symbols(path)
        self.addrs = [a for a, _ in self.syms]
        self.ranges = sorted((a, a + s, name) for name, (a, _, s) in self.secs.items() if a)

    def where(self, address):
        start, _, size = self.secs[".text"]
        if start <= address < start + size:
            k = bisect.bisect_right(self.addrs, address) - 1
            return (self.syms[k][1], address - self.addrs[k])
        for a, b, name in self.ranges:
            if a <= address < b:
                return (name, address - a)
        return ("?", address)

    def read(self, address, size):
        for name, (a, off, s) in self.secs.items():
            if a and a <= address < a + s:
                return self.data[off + address - a:off + address - a + size]
        raise KeyError(hex(address))


def code_refs(img):
    """{(function, offset): where its PC-relative reference goes} for every instruction of .text."""
    a, off, size = img.secs[".text"]
    refs = {}
    for address, _, _, targets in instructions(img.data[off:off + size], a):
        for target in targets:
            refs[img.where(address)] = img.where(target)
    return refs


def relocated_fields(path):
    """(address, type) of every relocated field in the data sections of a link made with --emit-relocs."""
    out = subprocess.run(["readelf", "-rW", path], capture_output=True, text=True, check=True).stdout
    fields, section = [], None
    for line in out.splitlines():
        if line.startswith("Relocation section"):
            section = line.split("'")[1]
        elif section and section not in (".rela.dyn", ".rela.plt") and not section.startswith(".rela.text"):
            f = line.split()
            if len(f) >= 3 and f[2] in ("R_X86_64_64", "R_X86_64_PC32"):
                fields.append((int(f[0], 16), f[2]))
    return fields


def data_refs(img, fields, tables):
    """{(section, offset): where it points} for the relocated data fields: an 8-byte pointer, a 4-byte
    self-relative one, or a jump-table entry (relative to the nearest table start code reads before it)."""
    refs = {}
    for address, kind in fields:
        section, offset = img.where(address)
        start = img.secs[section][0] if section in img.secs else None
        if start is None:
            continue
        if kind == "R_X86_64_64":
            refs[(section, offset)] = img.where(struct.unpack("<Q", img.read(address, 8))[0])
            continue
        value = struct.unpack("<i", img.read(address, 4))[0]
        bases = tables.get(section, [])
        k = bisect.bisect_right(bases, offset) - 1
        relative = img.where(address + value)
        table = img.where(start + bases[k] + value) if k >= 0 else None
        refs[(section, offset)] = (relative, table)
    return refs


def same(x, y):
    if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], tuple):
        return y is not None and (x[0] == y[0] or (x[1] is not None and x[1] == y[1]))
    return x == y


def main(original, split):
    tmp = tempfile.mkdtemp(prefix="check-split-")
    try:
        link(original, f"{tmp}/a.so")
        names = [n for _, n in symbols(f"{tmp}/a.so")]
        with open(f"{tmp}/order", "w") as f:
            f.write("\n".join(reversed(names)) + "\n")
        link(split, f"{tmp}/b.so", f"{tmp}/order")
        a, b = Image(f"{tmp}/a.so"), Image(f"{tmp}/b.so")
        # The original link gets the split's names for functions without a symbol, so that places compare by name.
        base = text_base(original, a)
        a.syms = sorted(a.syms + [(base + offset, name) for offset, name in unnamed_offsets(split)])
        a.addrs = [x for x, _ in a.syms]
        ca, cb = code_refs(a), code_refs(b)
        bad = [(k, ca[k], cb.get(k)) for k in ca if cb.get(k) != ca[k]]
        print(f"check-split.py: {len(ca)} code references compared, {len(bad)} differ")
        # Data sections keep their layout (only .text moved), so their references compare offset for offset.
        tables = {}
        for target in ca.values():
            if target[0] != "?" and target[0] in a.secs and not target[0].startswith(".text"):
                tables.setdefault(target[0], set()).add(target[1])
        tables = {k: sorted(v) for k, v in tables.items()}
        da = data_refs(a, relocated_fields(f"{tmp}/a.so"), tables)
        db = data_refs(b, relocated_fields(f"{tmp}/b.so"), tables)
        dbad = [(k, da[k], db.get(k)) for k in da if not same(da[k], db.get(k))]
        print(f"check-split.py: {len(da)} data references compared, {len(dbad)} differ")
        order_changed = [n for _, n in a.syms] != [n for _, n in b.syms]
        print(f"check-split.py: function order in the split link differs from the original's: {order_changed}")
        for item in (bad + dbad)[:20]:
            print("  ", item)
        return 1 if bad or dbad or not order_changed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check-split.py ORIGINAL.o SPLIT.o")
    sys.exit(main(sys.argv[1], sys.argv[2]))
