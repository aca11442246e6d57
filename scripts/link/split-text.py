#!/usr/bin/python3
"""split-text.py IN.o OUT.o: rewrite an x86-64 ELF relocatable object so that the functions of its `.text`
section each get a section of their own (`.text.NAME`), as if it had been compiled with -function-sections.

Why (ARCHITECTURE.md, "Memory and CPU"): the Swift standard library's archive (libswiftCore.a) holds its Swift code
as one object, Swift.o, whose 1.6 MB `.text` is a single section. A linker places and discards whole sections, so
the link can neither put the few hundred standard-library functions a daemon runs beside its own ordered functions
nor drop the ones it never calls; the kernel then maps that whole section (fault-around), 1.4 MB resident.

How. A function is the code from one symbol of `.text` to the next (unnamed helpers stay with the function before
them). What refers to `.text` from elsewhere already has a relocation, but the assembler resolved references within
the section itself (a call from one internal function to another) and left none: every instruction is decoded
(capstone) and each PC-relative branch or RIP-relative operand that crosses from one function to another without a
relocation gets one (R_X86_64_PC32 against the target's new section). An 8-bit branch across functions (a short
tail call) cannot take a relocation the link could always satisfy: its two functions, and what lies between them,
stay in one section. Relocations against the `.text` section symbol (local functions, jump-table entries,
unwind-table entries) are moved to the section that now holds their target; a jump table's entry addend carries its
distance from the table's start, which is taken off before the target is looked up (the table is the one the
function that reads it points at).

Every step checks what it assumes and stops with a message rather than write an object it is not sure of:
the decoder must cover `.text` byte for byte, every cross-function reference must be one of the kinds above, every
jump-table entry must land in the function that reads the table, and every other reference must land inside a
function. `scripts/link/check-split.py` links the result in a shuffled order and compares every reference with the
original's.
"""
import bisect
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from x86refs import instructions  # noqa: E402

SHT_SYMTAB, SHT_RELA, SHT_PROGBITS, SHT_X86_64_UNWIND = 2, 4, 1, 0x70000001
SHF_ALLOC, SHF_EXECINSTR, SHF_INFO_LINK = 0x2, 0x4, 0x40
STT_FUNC, STT_SECTION, STB_LOCAL = 2, 3, 0
R_PC32, R_PLT32, R_64 = 2, 4, 1
EHDR, SHDR, SYM, RELA = "<16sHHIQQQIHHHHHH", "<IIQQQQIIQQ", "<IBBHQQ", "<QQq"


def fail(message):
    sys.exit(f"split-text.py: {message}")


class Obj:
    def __init__(self, data):
        self.data = data
        self.ehdr = list(struct.unpack_from(EHDR, data, 0))
        if self.ehdr[0][:4] != b"\x7fELF" or self.ehdr[0][4] != 2 or self.ehdr[1] != 1 or self.ehdr[2] != 62:
            fail("not an x86-64 ELF relocatable object")
        shoff, shnum = self.ehdr[6], self.ehdr[12]
        if shnum == 0:
            fail("extended section numbering is not supported")
        self.sh = [list(struct.unpack_from(SHDR, data, shoff + i * 64)) for i in range(shnum)]
        strtab = self.sh[self.ehdr[13]]
        self.shstr = data[strtab[4]:strtab[4] + strtab[5]]

    def name(self, i):
        n = self.sh[i][0]
        return self.shstr[n:self.shstr.index(b"\0", n)].decode()

    def body(self, i):
        s = self.sh[i]
        return bytes(self.data[s[4]:s[4] + s[5]])

    def relas(self, i):
        b = self.body(i)
        return [list(struct.unpack_from(RELA, b, k * 24)) for k in range(len(b) // 24)]


def decode(code, what):
    """Every instruction of `code` (a code section at address 0): (address, size, bytes, [target], mnemonic)."""
    out, at = [], 0
    for address, size, mnemonic, targets in instructions(code):
        if address != at:
            fail(f"{what}: the decoder skipped bytes at {at:#x}")
        out.append((address, size, code[address:address + size], targets, mnemonic))
        at = address + size
    if at != len(code):
        fail(f"{what}: the decoder stopped at {at:#x} of {len(code):#x}")
    return out


def field(ins, target, relocated):
    """Offset and size of the PC-relative field of instruction `ins` that encodes `target`, or None when a
    relocation already sits in the instruction (x86 has at most one PC-relative field in one instruction)."""
    address, size, raw = ins[:3]
    if any(address + p in relocated for p in range(1, size)):
        return None
    rel = target - (address + size)
    hits = [(p, 4) for p in range(1, size - 3) if struct.unpack_from("<i", raw, p)[0] == rel]
    if not hits and -128 <= rel < 128 and struct.unpack_from("<b", raw, size - 1)[0] == rel:
        hits = [(size - 1, 1)]
    if len(hits) != 1:
        fail(f"instruction at {address:#x} ({raw.hex()}): cannot find the field of its reference to {target:#x}")
    return hits[0]


def main(src, dst):
    o = Obj(bytearray(open(src, "rb").read()))
    texts = [i for i in range(len(o.sh)) if o.name(i) == ".text" and o.sh[i][1] == SHT_PROGBITS]
    if len(texts) != 1:
        fail(f"{src}: expected one .text section, found {len(texts)}")
    T = texts[0]
    size = o.sh[T][5]
    symtab = next(i for i in range(len(o.sh)) if o.sh[i][1] == SHT_SYMTAB)
    syms = [list(struct.unpack_from(SYM, o.body(symtab), k * 24)) for k in range(o.sh[symtab][5] // 24)]
    first_global = o.sh[symtab][7]
    text_section_syms = {k for k, s in enumerate(syms) if s[3] == T and s[1] & 0xF == STT_SECTION}
    named = {s[4] for s in syms if s[3] == T and s[1] & 0xF != STT_SECTION and s[4] < size}
    # Functions without a symbol (the compiler's local helpers: outlined copies, merged functions) still have an
    # unwind-table entry whose start is relocated against the .text section symbol: they start sections too, and
    # get a local symbol (`swiftcore_unnamed_OFFSET`) so that an order file can name them.
    unnamed = set()
    for sec in range(len(o.sh)):
        if o.sh[sec][1] == SHT_RELA and o.sh[o.sh[sec][7]][1] == SHT_X86_64_UNWIND:
            for r in o.relas(sec):
                if (r[1] >> 32) in text_section_syms and r[1] & 0xFFFFFFFF == R_PC32 and 0 <= r[2] < size:
                    unnamed.add(r[2])
    code = o.body(T)
    insns = decode(code, ".text")
    ins_at = [i[0] for i in insns]
    # So do the other functions without a symbol that something calls or points at: a call's target within .text
    # (resolved by the assembler, or relocated against the section symbol), an 8-byte pointer into .text (witness
    # tables, metadata), a self-relative one from Swift's metadata sections. Not .rodata's: its jump-table entries
    # point into the middle of functions.
    rela_of = {o.sh[i][7]: i for i in range(len(o.sh)) if o.sh[i][1] == SHT_RELA}
    text_relocs = o.relas(rela_of[T]) if T in rela_of else []
    by_offset = {r[0]: r for r in text_relocs}
    for ins in insns:
        if ins[2][:1] != b"\xe8":
            continue
        r = by_offset.get(ins[0] + 1)
        if r is None:
            target = ins[0] + ins[1] + struct.unpack_from("<i", ins[2], 1)[0]
        elif (r[1] >> 32) in text_section_syms:
            target = r[2] + 4
        else:
            continue
        if 0 <= target < size:
            unnamed.add(target)
    for sec, rsec in rela_of.items():
        if o.sh[sec][2] & SHF_EXECINSTR or o.name(sec).startswith(".rodata") or o.sh[sec][1] == SHT_X86_64_UNWIND:
            continue
        for r in o.relas(rsec):
            sym = syms[r[1] >> 32]
            if sym[3] == T and r[1] & 0xFFFFFFFF in (R_64, R_PC32) and 0 <= sym[4] + r[2] < size:
                unnamed.add(sym[4] + r[2])
    unnamed -= named
    # A function starts a section only where nothing can run into it from the code before: the instruction that
    # ends there (padding aside) must leave for good (ret, jmp, ud2, or a call: one that returned would come back
    # to that very address, an entry the compiler never emits). Elsewhere the two stay in one section (a body the
    # compiler left unfinished because it cannot run, such as a witness of `Never`'s, ends in its prologue).
    ends_at = {i[0] + i[1]: k for k, i in enumerate(insns)}
    joined = 0
    for start in sorted(named | unnamed):
        k = ends_at.get(start)
        while k is not None and insns[k][4] in ("nop", "int3") and k > 0:
            k -= 1
        if k is None or insns[k][4] not in ("ret", "jmp", "ud2", "call", "hlt"):
            named.discard(start)
            unnamed.discard(start)
            joined += 1
    starts = sorted({0} | named | unnamed)

    def ins_containing(offset, table=insns, index=ins_at):
        k = bisect.bisect_right(index, offset) - 1
        return table[k]

    def chunk_of(offset):
        return bisect.bisect_right(starts, offset) - 1

    relocated = {r[0] for r in text_relocs}

    # References within .text that the assembler resolved: an 8-bit one joins its functions (and those between).
    join = [False] * len(starts)
    resolved = []
    for ins in insns:
        for target in ins[3]:
            if not 0 <= target < size:
                continue
            a, b = chunk_of(ins[0]), chunk_of(target)
            if a == b:
                continue
            found = field(ins, target, relocated)
            if found is None:
                continue
            off, width = found
            if width == 1:
                for k in range(min(a, b), max(a, b)):
                    join[k + 1] = True
            else:
                resolved.append((ins, off, target))
    chunks = [s for k, s in enumerate(starts) if not join[k]]
    ends = chunks[1:] + [size]

    def final_chunk(offset):
        return bisect.bisect_right(chunks, offset) - 1

    # Each function's section: aligned as its start was, so its code keeps its alignment.
    def align(start):
        return 16 if start % 16 == 0 else start & -start

    names_at = {}
    for s in syms:
        if s[3] == T and s[1] & 0xF != STT_SECTION and s[4] not in names_at and s[0]:
            names_at[s[4]] = s[0]
    strtab_index = o.sh[symtab][6]
    strtab = bytearray(o.body(strtab_index))
    same_strtab = strtab_index == o.ehdr[13]

    def symname(n):
        return bytes(strtab[n:strtab.index(b"\0", n)])

    # New sections, appended after the existing ones (so no index changes), and a section symbol for each, inserted
    # after the last local symbol (so global symbol indices move up by the number of new sections).
    n = len(chunks)
    first_new = len(o.sh)
    new_sym = {k: first_global + k for k in range(n)}
    unnamed = sorted(unnamed)
    shift = n + len(unnamed)

    def remap(symindex):
        return symindex if symindex < first_global else symindex + shift

    # Where each code section's relocated fields end (for a reloc against the .text symbol from code).
    decoded = {T: (insns, ins_at)}

    def bias(section, offset):
        if section not in decoded:
            table = decode(o.body(section), o.name(section))
            decoded[section] = (table, [i[0] for i in table])
        table, index = decoded[section]
        ins = ins_containing(offset, table, index)
        return ins[0] + ins[1] - offset

    # Jump tables: .rodata offsets that code refers to, with the function that refers.
    rodata_refs = {}
    for sec, rsec in rela_of.items():
        if not o.sh[sec][2] & SHF_EXECINSTR:
            continue
        for r in o.relas(rsec):
            sym = syms[r[1] >> 32]
            if sym[1] & 0xF == STT_SECTION and r[1] & 0xFFFFFFFF in (R_PC32, R_PLT32):
                target = r[2] + bias(sec, r[0])
                rodata_refs.setdefault(sym[3], {})[target] = final_chunk(r[0]) if sec == T else None
    table_starts = {sec: sorted(refs) for sec, refs in rodata_refs.items()}

    def place(target, where):
        c = final_chunk(target)
        if not 0 <= target < size or c < 0:
            fail(f"{where}: a reference to .text+{target:#x} is outside it")
        return c

    counts = {"moved": 0, "added": 0, "jump-table": 0}

    def retarget(sec, r):
        """A relocation in section `sec` against the .text section symbol: against its target's new section."""
        rtype = r[1] & 0xFFFFFFFF
        where = f"{o.name(sec)}+{r[0]:#x}"
        if o.sh[sec][2] & SHF_EXECINSTR:
            if rtype not in (R_PC32, R_PLT32):
                fail(f"{where}: relocation type {rtype} against .text from code")
            b = bias(sec, r[0])
            target = r[2] + b
        elif rtype in (R_PC32, R_PLT32) and sec in table_starts and table_starts[sec] and table_starts[sec][0] <= r[0]:
            starts_here = table_starts[sec]
            base = starts_here[bisect.bisect_right(starts_here, r[0]) - 1]
            user = rodata_refs[sec][base]
            b = -(r[0] - base)
            target = r[2] + b
            if user is None or not chunks[user] <= target < ends[user]:
                # Not a jump table the .text code reads: an ordinary reference (a relative pointer).
                b, target = 0, r[2]
            else:
                counts["jump-table"] += 1
        else:
            b, target = 0, r[2]
        c = place(target, where)
        counts["moved"] += 1
        return [r[0], (new_sym[c] << 32) | rtype, target - chunks[c] - b]

    # Rewrite every relocation section: symbol indices shift, and references to .text move.
    new_bodies = {}
    for sec, rsec in rela_of.items():
        if sec == T:
            continue
        out = bytearray()
        for r in o.relas(rsec):
            if (r[1] >> 32) in text_section_syms:
                r = retarget(sec, r)
            else:
                r[1] = (remap(r[1] >> 32) << 32) | (r[1] & 0xFFFFFFFF)
            out += struct.pack(RELA, *r)
        new_bodies[rsec] = bytes(out)

    # .text's own relocations and the ones the assembler left out, per new section.
    per_chunk = [[] for _ in range(n)]
    body = [bytearray(code[chunks[c]:ends[c]]) for c in range(n)]
    for r in text_relocs:
        c = final_chunk(r[0])
        if (r[1] >> 32) in text_section_syms:
            r = retarget(T, r)
        else:
            r[1] = (remap(r[1] >> 32) << 32) | (r[1] & 0xFFFFFFFF)
        r[0] -= chunks[c]
        per_chunk[c].append(r)
    for ins, off, target in resolved:
        c, t = final_chunk(ins[0]), place(target, f".text+{ins[0]:#x}")
        if c == t:
            continue
        at = ins[0] + off
        b = ins[0] + ins[1] - at
        per_chunk[c].append([at - chunks[c], (new_sym[t] << 32) | R_PC32, target - chunks[t] - b])
        body[c][at - chunks[c]:at - chunks[c] + 4] = b"\0\0\0\0"
        counts["added"] += 1
    for rs in per_chunk:
        rs.sort(key=lambda r: r[0])

    # Symbols: those in .text move to their function's section; the new section symbols go in with the locals.
    for s in syms:
        if s[3] == T and s[1] & 0xF != STT_SECTION:
            c = final_chunk(min(s[4], size - 1)) if s[4] >= size else final_chunk(s[4])
            s[4] -= chunks[c]
            s[3] = first_new + 2 * c
    new_syms = [[0, STT_SECTION, 0, first_new + 2 * c, 0, 0] for c in range(n)]
    for offset in unnamed:
        c = final_chunk(offset)
        name_at = len(strtab)
        strtab += b"swiftcore_unnamed_%x\0" % offset
        names_at.setdefault(offset, name_at)
        new_syms.append([name_at, STT_FUNC | STB_LOCAL << 4, 0, first_new + 2 * c, offset - chunks[c], 0])
    syms = syms[:first_global] + new_syms + syms[first_global:]

    # Section headers: .text and its relocations emptied; two per function appended.
    sh = [list(s) for s in o.sh]
    shstr = bytearray(o.shstr) if not same_strtab else strtab
    bodies = {i: o.body(i) for i in range(len(sh))}
    bodies.update(new_bodies)
    bodies[T] = b""
    sh[T][5] = 0
    if T in rela_of:
        bodies[rela_of[T]] = b""
        sh[rela_of[T]][5] = 0
    for i in range(len(sh)):
        if sh[i][1] == 0x6FFF4C03:  # SHT_LLVM_ADDRSIG holds symbol indices; without it the link only skips safe ICF
            bodies[i] = b""
            sh[i][5] = 0
    for c in range(n):
        label = symname(names_at[chunks[c]]) if chunks[c] in names_at else b"%x" % chunks[c]
        name_at = len(shstr)
        shstr += b".text." + label + b"\0"
        sh.append([name_at, SHT_PROGBITS, o.sh[T][2], 0, 0, len(body[c]), 0, 0, align(chunks[c]), 0])
        bodies[len(sh) - 1] = bytes(body[c])
        rname_at = len(shstr)
        shstr += b".rela.text." + label + b"\0"
        sh.append([rname_at, SHT_RELA, SHF_INFO_LINK, 0, 0, 24 * len(per_chunk[c]), symtab, first_new + 2 * c, 8, 24])
        bodies[len(sh) - 1] = b"".join(struct.pack(RELA, *r) for r in per_chunk[c])
    if len(sh) >= 0xFF00:
        fail(f"{len(sh)} sections is more than ELF's section numbering allows without its extension")
    bodies[symtab] = b"".join(struct.pack(SYM, *s) for s in syms)
    sh[symtab][7] = first_global + shift
    if same_strtab:
        bodies[strtab_index] = bytes(shstr)
    else:
        bodies[o.ehdr[13]] = bytes(shstr)

    # Write: header, bodies, section header table.
    out = bytearray(64)
    for i in range(1, len(sh)):
        if sh[i][1] == 8:  # SHT_NOBITS
            sh[i][4] = len(out)
            continue
        out += b"\0" * (-len(out) % 16)
        sh[i][4] = len(out)
        sh[i][5] = len(bodies[i])
        out += bodies[i]
    out += b"\0" * (-len(out) % 8)
    ehdr = list(o.ehdr)
    ehdr[6], ehdr[12] = len(out), len(sh)
    struct.pack_into(EHDR, out, 0, *ehdr)
    for s in sh:
        out += struct.pack(SHDR, *s)
    open(dst, "wb").write(out)
    print(f"split-text.py: {src}: .text ({size} bytes) into {n} sections ({len(unnamed)} of them functions without "
          f"a symbol; {joined} functions left joined to the code before them); "
          f"{counts['added']} references given a relocation, {counts['moved']} moved "
          f"({counts['jump-table']} jump-table entries)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: split-text.py IN.o OUT.o")
    main(sys.argv[1], sys.argv[2])
