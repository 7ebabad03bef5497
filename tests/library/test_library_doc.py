"""docs/library.md is executed: every ```python block, in order, in one namespace, from an empty folder,
against the sandbox. A block that raises or whose assert fails fails this test."""

import re
from pathlib import Path

DOC = Path(__file__).parents[2] / "docs" / "library.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_every_example_of_the_library_guide_runs(tmp_path, monkeypatch, capsys):
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 10
    monkeypatch.chdir(tmp_path)  # nothing may depend on running from the checkout
    namespace: dict = {"__name__": "library_md"}
    try:
        for number, code in enumerate(blocks, 1):
            exec(compile(code, f"{DOC.name} python block {number}", "exec"), namespace)
    finally:
        sandbox = namespace.get("sandbox")
        if sandbox is not None:
            sandbox.stop()
    out = capsys.readouterr().out
    assert "did you mean `MCH_SEX`?" in out
    assert "deployed: 0 created, 1 updated" in out
    assert list(tmp_path.iterdir()) == []  # the guide writes only where it says (a temporary folder)
