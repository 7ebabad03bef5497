"""``dhis2-mch demo``: the whole flow on the sandbox, in one command, no DHIS2 needed.

Start the sandbox (a local stand-in, NOT DHIS2), deploy the programmes' package, push the seed
articles' figures, read them back from the server, and plan again to show that a second deploy
would change nothing. Everything goes over loopback HTTP through the same code a real deploy uses.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dhis2_mch.errors import InputError

#: the seed articles' figures, shipped with the code beside the programmes' package (a link to the
#: checkout's config/examples/ in a source tree; a copy in a wheel)
SHIPPED_VALUES = Path(__file__).resolve().parent / "examples" / "seed_figures.csv"


@dataclass
class DemoResult:
    url: str
    version: str
    deployed: dict = field(default_factory=dict)
    pushed: dict = field(default_factory=dict)
    readback: list[dict] = field(default_factory=list)
    replan_changes: int = -1

    @property
    def ok(self) -> bool:
        return (
            self.deployed.get("ok", False)
            and self.pushed.get("ok", False)
            and self.replan_changes == 0
            and all(r["in_dhis2"] == r["in_file"] for r in self.readback)
        )

    def as_json(self) -> dict:
        return {"ok": self.ok, **self.__dict__}


def run_demo(
    *,
    version: str = "2.40",
    metadata: Path | None = None,
    values: Path | None = None,
    workdir: Path | None = None,
    db: Path | None = None,
    port: int = 0,
    say: Callable[[str], None] = print,
    keep: Callable[[object], None] | None = None,
) -> DemoResult:
    """Run the demo; ``keep(sandbox)`` is called at the end with the server still running.

    ``metadata`` and ``values`` default to the programmes' package and the seed figures shipped with
    dhis2-mch; backups and rejected rows go under ``workdir`` (a temporary folder unless given).
    """
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="dhis2-mch-demo-") as tmp:
            return run_demo(version=version, metadata=metadata, values=values, workdir=Path(tmp), db=db, port=port,
                            say=say, keep=keep)  # fmt: skip
    from dhis2_mch.data.push import push
    from dhis2_mch.deploy.apply import deploy, plan
    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.package import shipped_package
    from dhis2_mch.project import Project
    from dhis2_mch.sandbox import Sandbox

    metadata = metadata or shipped_package()
    values = values or SHIPPED_VALUES
    if not values.exists():
        raise InputError(f"{values}: no such file (the values to push); pass another with --values.")
    project = Project.load(metadata)
    with Sandbox(version, db) as sb:
        sb.start(port=port)
        say(f"Sandbox (a local stand-in for DHIS2 {sb.version}, NOT DHIS2) at {sb.url}, user admin / district\n")
        with Connection(sb.url, token=sb.token, name="the sandbox") as conn:
            say(f"1. Deploy {metadata} (validate offline, plan, VALIDATE on the server, COMMIT)")
            compiled = project.compile(conn.version)
            deployed = deploy(compiled, conn, backup_dir=workdir / "backups")
            say(_indent(deployed.as_text().splitlines()[-1]))
            result = DemoResult(sb.url, str(sb.version), deployed=deployed.as_json())

            say(f"\n2. Push {values} (the figures of the two seed articles)")
            pushed = push(values, conn, metadata=metadata, rejected_dir=workdir / "rejected")
            say(_indent(pushed.as_text()))
            result.pushed = pushed.as_json()

            say("\n3. Read the values back from the server")
            result.readback = _read_back(conn, values, compiled)
            width = max((len(r["label"]) for r in result.readback), default=10)
            for r in result.readback:
                mark = "ok" if r["in_dhis2"] == r["in_file"] else "DIFFERENT"
                say(f"   {r['label']:<{width}}  {r['org_unit']:>11} {r['period']:<7} {r['in_dhis2'] or '-':>6}  {mark}")

            say("\n4. Plan again: a second deploy would change")
            again = plan(compiled, conn)
            result.replan_changes = again.changes
            say(_indent(again.as_text().splitlines()[0]))
        say("\n" + ("Demo complete: deployed, pushed, read back, nothing left to change." if result.ok
                    else "Demo finished with problems: see above."))  # fmt: skip
        if keep is not None:
            keep(sb)
    return result


def _read_back(conn, values: Path, compiled) -> list[dict]:
    from dhis2_mch.data.catalogue import build_catalogue
    from dhis2_mch.data.readers import read_table
    from dhis2_mch.dhis2 import api

    catalogue = build_catalogue(compiled.metadata)
    frame = read_table(values).frame
    units = {u.code: u.id for u in api.org_units(conn, codes=sorted(set(frame["orgUnit"])))}
    rows = []
    stored: dict[tuple, str | None] = {}
    for _, r in frame.iterrows():
        info = catalogue.data_element(r["dataElement"])
        if info is None or r["orgUnit"] not in units:
            continue
        coc = catalogue.option_combo(info, r["categoryOptionCombo"])
        key = (info.data_sets[0].uid, r["period"], units[r["orgUnit"]])
        if key not in stored:
            for dv in api.get_data_values(conn, data_set=key[0], periods=[key[1]], org_units=[key[2]]):
                stored[(dv.data_element, dv.category_option_combo, dv.period, dv.org_unit)] = dv.value
            stored[key] = "read"
        label = r["dataElement"] + (
            "" if r["categoryOptionCombo"] in ("", "default") else f" [{r['categoryOptionCombo']}]"
        )
        rows.append({
            "label": label, "org_unit": r["orgUnit"], "period": r["period"], "in_file": r["value"],
            "in_dhis2": stored.get((info.uid, coc, r["period"], units[r["orgUnit"]])),
        })  # fmt: skip
    return rows


def _indent(text: str) -> str:
    return "\n".join("   " + line for line in text.splitlines())
