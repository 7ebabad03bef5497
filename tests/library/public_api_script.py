"""What a developer extending the configuration does, with dhis2-mch's public names only.

Run from any folder after ``pip install dhis2-mch``: loads the programmes' package shipped with the
code, adds a data element in Python, validates, plans against the sandbox, deploys, pushes a
DataFrame and reads the value back. Prints one line per step; exits non-zero if a step fails.
"""

import tempfile
from pathlib import Path

import pandas as pd

import dhis2_mch as mch

project = mch.Project.load()
project.add("dataElements", {
    "code": "F1000_CUM_COOKING_CLASSES",
    "name": {"en": "F1000 - Cooking classes held (cumulative)", "vi": "F1000 - Số lớp dạy nấu ăn (cộng dồn)"},
    "shortName": {"en": "F1000 cooking classes cum.", "vi": "F1000 lớp nấu ăn cộng dồn"},
    "description": {"en": "Cooking classes held since the model started.", "vi": "Số lớp nấu ăn từ khi có mô hình."},
    "aggregationType": "LAST",
})  # fmt: skip
project.get("dataSets", "F1000_SUMMARY")["dataSetElements"].append("F1000_CUM_COOKING_CLASSES")

compiled = project.compile("2.40").require_valid()
print(
    f"validated: {compiled.metadata.count()} objects, {len(compiled.errors)} errors, {len(compiled.warnings)} warnings"
)

with tempfile.TemporaryDirectory() as work, mch.Sandbox("2.40") as sandbox:
    sandbox.start()
    with mch.Connection(sandbox.url, token=sandbox.token) as conn:
        plan = mch.plan(compiled, conn)
        print(f"planned: {plan.count('create')} to create, {len(plan.conflicts)} conflicts")
        result = mch.deploy(compiled, conn, backup_dir=Path(work) / "backups")
        print(f"deploy: {result.outcome}")
        assert result.ok, result.as_text()
        frame = pd.DataFrame([{"orgUnit": "15", "period": "2025S2", "dataElement": "F1000_CUM_COOKING_CLASSES",
                               "value": "7"}])  # fmt: skip
        report = mch.push_frame(frame, conn, compiled)
        assert report.ok, report.as_text()
        stored = mch.read_values(conn, compiled, data_set="F1000_SUMMARY", periods=["2025S2"], org_units=["15"])
        value = stored[stored.dataElement == "F1000_CUM_COOKING_CLASSES"].value.tolist()
        print(f"read back: {value}")
        assert value == ["7"]
