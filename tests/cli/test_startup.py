"""CLI start-up stays light: listing the commands must not import pandas or the HTTP stack."""

import subprocess
import sys

import pytest

PROBE = """
import sys
from dhis2_mch.cli import cli
try:
    cli({args!r}, prog_name="dhis2-mch")
except SystemExit:
    pass
print("HEAVY:" + ",".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""
HEAVY = ("pandas", "numpy", "openpyxl", "requests", "dhis2", "urllib3")


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["build", "--help"]])
def test_help_does_not_import_heavy_modules(args):
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_module_entry_point():
    out = subprocess.run([sys.executable, "-m", "dhis2_mch", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "dhis2-mch, version 0.1.0"
