"""Output piped into a reader that stops early (`dhis2-mch demo | head`) ends quietly, not as an internal error."""

import subprocess
import sys
from pathlib import Path


def test_a_reader_that_goes_away_is_not_an_internal_error(tmp_path: Path):
    exe = Path(sys.executable).with_name("dhis2-mch")
    proc = subprocess.Popen([str(exe), "demo"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away after the first line, as `head -1` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "internal error" not in stderr and "Traceback" not in stderr
