"""The PC-relative references of x86-64 code, for split-text.py and check-split.py: each instruction with the place
its relative branch or RIP-relative operand reaches. Decoded by capstone without its operand details (which cost
ten times as much in Python): the disassembler's text names a branch's target and a RIP-relative displacement."""
import re
import sys

try:
    import capstone
except ImportError:
    sys.exit(f"{sys.argv[0]}: needs Debian's python3-capstone (make deps installs it)")

RIP = re.compile(r"\[rip ([+-]) (0x[0-9a-f]+|[0-9]+)\]")
BRANCH = re.compile(r"^(0x[0-9a-f]+|[0-9]+)$")


def instructions(code, address=0):
    """(address, size, mnemonic, [targets]) for every instruction of `code`, which starts at `address`; decoding
    stops where capstone does (the callers check it covered the whole section)."""
    md = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    for at, size, mnemonic, operands in md.disasm_lite(code, address):
        targets = []
        if (mnemonic[0] == "j" or mnemonic == "call" or mnemonic.startswith("loop") or mnemonic == "xbegin") \
                and BRANCH.match(operands):
            targets.append(int(operands, 0))
        else:
            m = RIP.search(operands)
            if m:
                disp = int(m.group(2), 0)
                targets.append(at + size + (disp if m.group(1) == "+" else -disp))
        yield at, size, mnemonic, targets
