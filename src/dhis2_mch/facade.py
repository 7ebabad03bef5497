"""The two functions the public API adds over its modules: ``connect`` (a connection named the way the
CLI names one) and ``read_values`` (what the server stores, in the long format ``push_frame`` takes,
named by the package's codes), so a script needs no module path beyond ``dhis2_mch``."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.model.metadata import Metadata
    from dhis2_mch.project import Compiled

COLUMNS = ["orgUnit", "period", "dataElement", "categoryOptionCombo", "value"]


def connect(
    instance: str | None = None, *, url: str | None = None, config: Path | None = None, **options: Any
) -> Connection:
    """A connection to DHIS2: ``instance`` names a profile of the instances file (``config``,
    ``$DHIS2_MCH_CONFIG`` or config/instances.yaml); otherwise ``url`` (or ``$DHIS2_URL``) with the
    credentials in ``$DHIS2_TOKEN`` or ``$DHIS2_USERNAME``/``$DHIS2_PASSWORD``. ``options`` go to
    ``Connection`` (``retry``, ``transport`` ...). Nothing is sent until the first request; use it as a
    context manager to close it."""
    from dhis2_mch.dhis2.connection import Connection
    from dhis2_mch.dhis2.profiles import resolve_target

    return Connection.from_target(resolve_target(instance=instance, url=url, config=config), **options)


def read_values(
    conn: Connection,
    package: Compiled | Metadata,
    *,
    data_set: str,
    periods: Iterable[str],
    org_units: Iterable[str],
) -> pd.DataFrame:
    """The values the server stores for a data set (code or UID), periods and org units (codes or UIDs),
    as a frame in the long format ``push_frame`` takes: data elements by code, option combos as their
    option codes joined by ``+`` (``default`` for none), org units as given."""
    import pandas as pd

    from dhis2_mch.dhis2 import api
    from dhis2_mch.model.metadata import Metadata
    from dhis2_mch.model.objects import CategoryOptionCombo
    from dhis2_mch.model.types import DEFAULT_UIDS
    from dhis2_mch.model.uid import is_valid_uid

    md = package if isinstance(package, Metadata) else package.metadata
    ds_uid = next((d.id for d in md.of("dataSets") if data_set in (d.code, d.id) and d.id), data_set)
    wanted = list(org_units)
    found = api.org_units(conn, codes=wanted, ids=[u for u in wanted if is_valid_uid(u)])
    as_given = {u.id: (u.code if u.code in wanted else u.id) for u in found}
    if not as_given:
        return pd.DataFrame(columns=COLUMNS)
    de_code = {d.id: d.code or d.id for d in md.of("dataElements")}
    option_code = {o.id: o.code for o in md.of("categoryOptions")}
    coc_text: dict[str | None, str | None] = {DEFAULT_UIDS["categoryOptionCombo"]: "default"}
    for coc in md.of(CategoryOptionCombo):
        if coc.id and coc.id not in coc_text:
            coc_text[coc.id] = "+".join(option_code.get(r.id or "") or r.id or "" for r in coc.categoryOptions or [])
    values = api.get_data_values(conn, data_set=ds_uid, periods=list(periods), org_units=list(as_given))
    rows = [
        (
            as_given.get(v.org_unit, v.org_unit),
            v.period,
            de_code.get(v.data_element, v.data_element),
            coc_text.get(v.category_option_combo, v.category_option_combo),
            v.value,
        )
        for v in values
    ]
    return pd.DataFrame(rows, columns=COLUMNS, dtype=str)
