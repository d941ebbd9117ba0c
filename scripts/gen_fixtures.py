#!/usr/bin/python3
"""Regenerates every test fixture from the reference implementation (Debian's python3-torch).

Runs each scripts/fixtures/*.py in turn; each writes its own files under tests/fixtures/.
Usage: /usr/bin/python3 scripts/gen_fixtures.py   (or `npm run fixtures`)
"""
import pathlib
import runpy
import sys

here = pathlib.Path(__file__).resolve().parent
scripts = sorted((here / "fixtures").glob("*.py"))
if len(sys.argv) > 1:
    scripts = [s for s in scripts if s.stem in sys.argv[1:]]
for script in scripts:
    print(f"[fixtures] {script.name}")
    runpy.run_path(str(script), run_name="__main__")
