"""Program rules, their variables and actions: the object bundle hooks DHIS2 runs on them.

* ProgramRuleVariableObjectBundleHook: a variable name may be used once per program (E4051; DHIS2 looks
  in its database, so a repeat within one payload passes the first import and fails every later one)
  and may not contain the words ``and``, ``or``, ``not`` (E4052); from 2.42 the source type decides
  what is required (E4090 no source type, E4059 data element, E4091 program stage, E4089 attribute,
  E4092 value type).
* ProgramRuleObjectBundleHook: rule names are unique per program, ignoring case (E4057; also checked
  against the database, so a repeat in the payload fails the second import).
* ProgramRuleActionObjectBundleHook with the validator of each action type (``ServiceConfig.
  programRuleActionValidatorMap``): HIDEFIELD, SETMANDATORYFIELD and CREATEEVENT need a data element
  or an attribute (E4044) that exists (E4045/E4046) and belongs to the program (E4047/E4048); HIDEOPTION
  also an option (E4040/E4041); SHOWOPTIONGROUP and HIDEOPTIONGROUP an option group (E4042/E4043);
  HIDESECTION a stage section (E4036/E4037); HIDEPROGRAMSTAGE a stage (E4038/E4039); ASSIGN a data
  element, an attribute or content (E4050); SENDMESSAGE and SCHEDULEMESSAGE a notification template
  (E4035). A rule action whose rule cannot be found makes the hook fail outright.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dhis2_mch.model.enums import PROGRAM_RULE_VARIABLE_DATA_SOURCES
from dhis2_mch.model.findings import Finding
from dhis2_mch.model.objects import Unparsed
from dhis2_mch.model.types import BY_NAME
from dhis2_mch.validate.context import Context

KEYWORDS = re.compile(r"and|or|not")  # dxf2 Constants.PROGRAM_RULE_VARIABLE_NAME_INVALID_KEYWORDS
FIELD_ACTIONS = {"HIDEFIELD", "SETMANDATORYFIELD", "CREATEEVENT", "HIDEOPTION"}  # BaseProgramRuleActionValidator
MESSAGE_ACTIONS = {"SENDMESSAGE", "SCHEDULEMESSAGE"}


def check(ctx: Context) -> Iterator[Finding]:
    yield from _variables(ctx)
    yield from _rules(ctx)
    yield from _actions(ctx)


def _variables(ctx: Context) -> Iterator[Finding]:
    prv_t = BY_NAME["programRuleVariable"]
    seen: dict[tuple[str, str], str | None] = {}
    for prv in ctx.md.of("programRuleVariables"):
        if isinstance(prv, Unparsed) or not isinstance(prv.name, str):
            continue
        program = prv.program.id if prv.program else None
        if program:
            key = (program, prv.name)
            if key in seen and seen[key] != prv.id:
                yield ctx.error("E4051", prv_t, prv, "name",
                                f"A program rule variable with name `{prv.name}` and program uid `{program}` "
                                f"already exists (variable [{seen[key]}] of this package)")  # fmt: skip
            seen.setdefault(key, prv.id)
        if any(KEYWORDS.fullmatch(word) for word in prv.name.split()):
            yield ctx.error("E4052", prv_t, prv, "name",
                            f"For program rule variable with name `{prv.name}` following keywords are forbidden : "
                            f"and , or , not")  # fmt: skip
        if ctx.version >= (2, 42):
            yield from _variable_source(ctx, prv)


def _variable_source(ctx: Context, prv) -> Iterator[Finding]:
    """ProgramRuleVariableObjectBundleHook.validateSourceType (2.42)."""
    prv_t, source = BY_NAME["programRuleVariable"], prv.programRuleVariableSourceType
    name = prv.name
    if source is None:
        yield ctx.error(
            "E4090",
            prv_t,
            prv,
            "programRuleVariableSourceType",
            f"ProgramRuleVariable `{name}` is missing a source type",
        )
        return
    if source in PROGRAM_RULE_VARIABLE_DATA_SOURCES and prv.dataElement is None:
        yield ctx.error(
            "E4059",
            prv_t,
            prv,
            "dataElement",
            f"ProgramRuleVariable `{name}` with source type `{source}` requires a data element",
        )
    if source == "DATAELEMENT_NEWEST_EVENT_PROGRAM_STAGE" and prv.programStage is None:
        yield ctx.error(
            "E4091",
            prv_t,
            prv,
            "programStage",
            f"ProgramRuleVariable `{name}` with source type `{source}` requires a program stage",
        )
    if source == "TEI_ATTRIBUTE" and prv.trackedEntityAttribute is None:
        yield ctx.error("E4089", prv_t, prv, "trackedEntityAttribute",
                        f"ProgramRuleVariable `{name}` with source type `{source}` requires a tracked entity "
                        f"attribute")  # fmt: skip


def _rules(ctx: Context) -> Iterator[Finding]:
    rule_t = BY_NAME["programRule"]
    seen: dict[tuple[str, str], str | None] = {}
    for rule in ctx.md.of("programRules"):
        if isinstance(rule, Unparsed) or not isinstance(rule.name, str) or rule.program is None:
            continue
        program = rule.program.id
        if not program:
            continue
        key = (program, rule.name.lower())
        if key in seen and (seen[key] or "").lower() != (rule.id or "").lower():
            shown = getattr(ctx.get(program, "program"), "name", None) or program
            yield ctx.error(
                "E4057", rule_t, rule, "name", f"The Program Rule name {rule.name} already exist in Program {shown}"
            )
        seen.setdefault(key, rule.id)


def _actions(ctx: Context) -> Iterator[Finding]:
    act_t = BY_NAME["programRuleAction"]
    ctx_cache: dict[str, set[str]] = {}
    for action in ctx.md.of("programRuleActions"):
        if isinstance(action, Unparsed):
            continue
        rule = ctx.get(action.programRule.id if action.programRule else None, "programRule")
        if rule is None:
            if action.programRule is None or not action.programRule.id:
                yield ctx.error(
                    "E4000",
                    act_t,
                    action,
                    "programRule",
                    "Missing required property `programRule` (DHIS2's action validation fails without it)",
                )
            continue  # a rule outside the package: references.py reports it
        rule_name = rule.name
        kind = action.programRuleActionType
        problem = _action_problem(ctx, action, kind, rule, ctx_cache)
        if problem:
            code, prop, text = problem
            yield ctx.error(code, act_t, action, prop, text.format(rule=rule_name))


def _action_problem(ctx: Context, action, kind, rule, cache: dict[str, set[str]]) -> tuple[str, str, str] | None:
    """The first problem DHIS2's validator for this action type reports, as (code, property, message)."""
    if kind in FIELD_ACTIONS:
        problem = _field_problem(ctx, action, rule, cache)
        if problem or kind != "HIDEOPTION":
            return problem
        if action.option is None:  # HideOptionProgramRuleActionValidator
            return "E4040", "option", "Option cannot be null for program rule `{rule}`"
        return None
    if kind in ("SHOWOPTIONGROUP", "HIDEOPTIONGROUP") and action.optionGroup is None:
        return "E4042", "optionGroup", "OptionGroup cannot be null for program rule `{rule}`"
    if kind == "HIDESECTION" and action.programStageSection is None:
        return "E4036", "programStageSection", "ProgramStageSection cannot be null for program rule `{rule}`"
    if kind == "HIDEPROGRAMSTAGE" and action.programStage is None:
        return "E4038", "programStage", "ProgramStage cannot be null for program rule `{rule}`"
    if kind == "ASSIGN" and not (action.dataElement or action.trackedEntityAttribute or action.content):
        return ("E4050", "content",
                "One of DataElement, TrackedEntityAttribute or ProgramRuleVariable is required for program rule "
                "`{rule}`")  # fmt: skip
    if kind in MESSAGE_ACTIONS and not action.templateUid and getattr(action, "notificationTemplate", None) is None:
        return "E4035", "templateUid", "ProgramNotificationTemplate cannot be null for program rule `{rule}`"
    return None


def _field_problem(ctx: Context, action, rule, cache: dict[str, set[str]]) -> tuple[str, str, str] | None:
    """BaseProgramRuleActionValidator: the field must exist and belong to the rule's program."""
    if action.dataElement is None and action.trackedEntityAttribute is None:
        return "E4044", "dataElement", "DataElement or TrackedEntityAttribute cannot be null for program rule `{rule}`"
    program = ctx.get(rule.program.id if rule.program else None, "program")
    if action.dataElement is not None:
        uid = action.dataElement.id
        if ctx.get(uid, "dataElement") is None or program is None:
            return None  # outside the package (references.py) or a program on the server: DHIS2 looks there
        key = program.id or ""
        if key not in cache:
            cache[key] = _program_data_elements(ctx, program)
        if uid not in cache[key]:
            return (
                "E4047",
                "dataElement",
                f"DataElement `{uid}` is not linked to any ProgramStageDataElement for program rule " + "`{rule}`",
            )
        return None
    uid = action.trackedEntityAttribute.id
    if ctx.get(uid, "trackedEntityAttribute") is None or program is None:
        return None
    attributes = {a.trackedEntityAttribute.id for a in program.programTrackedEntityAttributes or []
                  if a.trackedEntityAttribute}  # fmt: skip
    if uid not in attributes:
        return ("E4048", "trackedEntityAttribute",
                f"TrackedEntityAttribute `{uid}` is not linked to ProgramTrackedEntityAttribute for program rule "
                + "`{rule}`")  # fmt: skip
    return None


def _program_data_elements(ctx: Context, program) -> set[str]:
    """Data elements of the program's stages (the stages it lists, and those that name it)."""
    stage_ids = {s.id for s in program.programStages or []}
    stages = [s for s in ctx.md.of("programStages") if s.id in stage_ids
              or (s.program is not None and s.program.id == program.id)]  # fmt: skip
    return {d.dataElement.id for s in stages for d in s.programStageDataElements or [] if d.dataElement}
