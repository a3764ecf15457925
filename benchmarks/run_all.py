"""Runs every benchmark, each in its own process, one after another: python benchmarks/run_all.py"""
import subprocess
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
failed = 0
for script in sorted(here.glob("bench_*.py")):
    failed |= subprocess.call([sys.executable, str(script), *sys.argv[1:]]) != 0
sys.exit(failed)
