"""Options within an option set: OptionObjectBundleHook.checkDuplicateOption refuses an option whose
name or code (compared exactly) another option of the same set already has (E4028, reported on the
option; both twins get it, as each is checked against the set). An option's set is the one it names
(``optionSet``) and the ones that list it (``options``)."""

from __future__ import annotations

from collections.abc import Iterator

from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import IdentifiableObject, Unparsed
from dhis2_mch.model.types import BY_NAME
from dhis2_mch.validate.context import Context


def check(ctx: Context) -> Iterator[Finding]:
    option_t = BY_NAME["option"]
    members: dict[str, dict[int, IdentifiableObject]] = {}  # set uid -> the options in it (by identity)
    for option_set in ctx.md.of("optionSets"):
        if isinstance(option_set, Unparsed) or not option_set.id:
            continue
        listed = members.setdefault(option_set.id, {})
        for ref in option_set.options or []:
            option = ctx.get(ref.id, "option")
            if option is not None:
                listed[id(option)] = option
    for option in ctx.md.of("options"):
        if not isinstance(option, Unparsed) and option.optionSet is not None and option.optionSet.id:
            members.setdefault(option.optionSet.id, {})[id(option)] = option
    for set_id, in_set in members.items():
        by: dict[tuple[str, str], list[IdentifiableObject]] = {}
        for option in in_set.values():
            if option.name is not None and option.code is not None:  # checkDuplicateOption skips the others
                by.setdefault(("code", option.code), []).append(option)
                by.setdefault(("name", option.name), []).append(option)
        for option in in_set.values():
            if option.optionSet is None or option.optionSet.id != set_id:
                continue  # DHIS2 checks an option against the set it names
            for prop in ("code", "name"):
                value = getattr(option, prop)
                other = next((o for o in by.get((prop, value), ()) if o is not option and o.id != option.id), None)
                if other is not None:
                    yield ctx.error("E4028", option_t, option, prop,
                                    f"Option set `{set_id}` already contains option `{other.id}` "
                                    f"(same {prop} `{value}`)")  # fmt: skip
                    break
