"""Run herdtools7's illustrative PPC litmus tests and compare with the catalogue's Power-Model verdicts.

    python tools/herd_catalogue.py --herdtools ~/src/herdtools7 [--model power|sc] [--dir SUBDIR] [--campaign]

Reads, from the user's herdtools7 checkout at run time (nothing of it is copied here),
catalogue/herding-cats/ppc/tests/illustrative/*.litmus (with --campaign: every test of campaign/power-tests.tgz,
read from the archive) and ppc.allowed (column Power-Model: Ok when the test's
outcome can happen, No when it cannot). Each listed test runs under ppcinterp's model; a test's verdict is Ok
when some consistent execution satisfies its condition's proposition. Prints one line a test, then the counts;
exits 1 on a mismatch or an error.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

from ppcinterp.diagnostics import PpcError
from ppcinterp.litmus.parse import parse
from ppcinterp.litmus.run import Result, run_test

TESTS = Path("catalogue/herding-cats/ppc/tests")


def verdicts(allowed: Path) -> dict[str, str]:
    """Test name -> Ok/No, the first column (Power-Model) of ppc.allowed."""
    out = {}
    for line in allowed.read_text(encoding="utf-8", errors="replace").splitlines():
        m = re.match(r"^(\S+)\s+\|\s+(Ok|No)\b", line)
        if m:
            out[m[1]] = m[2]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--herdtools", required=True, metavar="DIR", help="a herdtools7 checkout")
    ap.add_argument("--model", choices=("power", "sc"), default="power")
    ap.add_argument("--dir", default="illustrative", help="the tests' directory under ppc/tests")
    ap.add_argument("--campaign", action="store_true", help="the tests of campaign/power-tests.tgz instead")
    ap.add_argument("--quiet", action="store_true", help="print only mismatches, errors and the counts")
    args = ap.parse_args(argv)
    root = Path(args.herdtools) / TESTS
    allowed_file = root / "ppc.allowed"
    if not allowed_file.is_file():
        print(f"herd_catalogue: {allowed_file}: no such file (is {args.herdtools} a herdtools7 checkout?)",
              file=sys.stderr)
        return 1
    expected = verdicts(allowed_file)
    counts = {"match": 0, "mismatch": 0, "error": 0, "unlisted": 0}
    by_verdict = {"Ok": 0, "No": 0}
    tests = _campaign(root / "campaign" / "power-tests.tgz") if args.campaign else _files(root / args.dir)
    for name, path, text in tests:
        want = expected.get(name)
        if want is None:
            counts["unlisted"] += 1
            continue
        start = time.perf_counter()
        try:
            r: Result = run_test(parse(path, text), args.model)
        except PpcError as e:
            counts["error"] += 1
            print(f"{name:40} ERROR {e.message}")
            continue
        got = "Ok" if r.positive else "No"
        by_verdict[want] += 1
        mark = "match" if got == want else "mismatch"
        counts[mark] += 1
        if mark != "match" or not args.quiet:
            print(f"{name:40} {got:3} expected {want:3} {mark:8} {time.perf_counter() - start:.2f}s")
    listed = counts["match"] + counts["mismatch"] + counts["error"]
    print(f"{counts['match']} of {listed} listed tests match ppc.allowed ({by_verdict['No']} forbidden, "
          f"{by_verdict['Ok']} allowed); {counts['mismatch']} mismatches, {counts['error']} errors, "
          f"{counts['unlisted']} files not listed in ppc.allowed")
    return 0 if counts["mismatch"] == counts["error"] == 0 else 1


def _files(d: Path) -> Iterator[tuple[str, str, str]]:
    for f in sorted(d.glob("*.litmus")):
        yield f.stem, str(f), f.read_text(encoding="utf-8", errors="replace")


def _campaign(tgz: Path) -> Iterator[tuple[str, str, str]]:
    with tarfile.open(tgz) as tar:
        for m in sorted(tar.getmembers(), key=lambda m: m.name):
            f = tar.extractfile(m) if m.isfile() and m.name.endswith(".litmus") else None
            if f is not None:
                yield Path(m.name).stem, f"{tgz}:{m.name}", f.read().decode("utf-8", errors="replace")


if __name__ == "__main__":
    sys.exit(main())
