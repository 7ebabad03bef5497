"""Generate ``src/dhis2_mch/model/schema_table.py`` from dhis2-core's Hibernate mappings, per version.

DHIS2's schema (``HibernatePropertyIntrospector.createProperty``) takes, for every mapped property:
required = the column is not-null, unique = the column is unique, length = the column length
(Hibernate's default 255 when none is given; unlimited for ``type="text"``). ``DefaultSchemaValidator``
then raises E4000 for a required property whose getter returns null (never for Category/CategoryOption/
CategoryCombo/CategoryOptionCombo references, ``Preheat.isDefaultClass``) and E4001 for a String longer
than the length; ``UniquenessCheck`` raises E5003 on unique simple properties. A not-null column whose
Java field is a primitive or has an initialiser can never be null after Jackson has read the object, so
it is not required here; ``@Property(required = TRUE)`` annotations add to the list.

Usage (needs a clone of github.com/dhis2/dhis2-core with its release tags):
    python scripts/dhis2_schema_table.py /path/to/dhis2-core/.git > src/dhis2_mch/model/schema_table.py
"""

from __future__ import annotations

import pprint
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

#: the newest patch of each minor version (DHIS2 2.36-2.42)
TAGS = {"2.36": "2.36.13.2", "2.38": "2.38.7", "2.39": "2.39.10.1", "2.40": "2.40.12", "2.41": "2.41.9.1",
        "2.42": "2.42.5.2"}  # fmt: skip

#: type name (model/types.py) -> Java class (simple name)
CLASSES = {
    "userGroup": "UserGroup", "legendSet": "LegendSet", "constant": "Constant",
    "categoryOption": "CategoryOption", "category": "Category", "categoryCombo": "CategoryCombo",
    "categoryOptionCombo": "CategoryOptionCombo", "categoryOptionGroup": "CategoryOptionGroup",
    "categoryOptionGroupSet": "CategoryOptionGroupSet", "optionSet": "OptionSet", "option": "Option",
    "organisationUnit": "OrganisationUnit", "organisationUnitGroup": "OrganisationUnitGroup",
    "organisationUnitGroupSet": "OrganisationUnitGroupSet", "dataElement": "DataElement",
    "dataElementGroup": "DataElementGroup", "indicatorType": "IndicatorType", "indicator": "Indicator",
    "indicatorGroup": "IndicatorGroup", "dataSet": "DataSet", "section": "Section",
    "trackedEntityType": "TrackedEntityType", "trackedEntityAttribute": "TrackedEntityAttribute",
    "program": "Program", "programStage": "ProgramStage", "programIndicator": "ProgramIndicator",
    "programStageSection": "ProgramStageSection", "programSection": "ProgramSection",
    "programRuleVariable": "ProgramRuleVariable", "programRule": "ProgramRule",
    "programRuleAction": "ProgramRuleAction", "validationRule": "ValidationRule",
    "validationRuleGroup": "ValidationRuleGroup", "predictor": "Predictor", "predictorGroup": "PredictorGroup",
    "visualization": "Visualization", "dashboard": "Dashboard",
}  # fmt: skip

#: Java property -> JSON property where the getter's @JsonProperty renames it
RENAMED = {
    "ProgramRuleVariable": {"sourceType": "programRuleVariableSourceType", "attribute": "trackedEntityAttribute"},
    "ProgramRuleAction": {"attribute": "trackedEntityAttribute"},
    "ValidationRuleGroup": {"members": "validationRules"},
    "PredictorGroup": {"members": "predictors"},
    "DataSet": {"sources": "organisationUnits"},
    "Program": {"organisationUnits": "organisationUnits"},
}
#: @Property(required = TRUE) on getters (ValidationRule.getLeftSide/getRightSide, Predictor.getGenerator)
ANNOTATED_REQUIRED = {"ValidationRule": ("leftSide", "rightSide"), "Predictor": ("generator",)}
DEFAULT_CLASSES = {"Category", "CategoryOption", "CategoryCombo", "CategoryOptionCombo"}
#: maintained by DHIS2 itself, never required of a payload (BaseIdentifiableObject @Property required=FALSE)
SYSTEM = {"uid", "created", "lastUpdated", "lastUpdatedBy", "createdBy", "user", "translations", "sharing",
          "attributeValues", "path", "hierarchyLevel"}  # fmt: skip
NON_STRING_TYPES = re.compile(r"text|jb|jsonb|Jsonb|timestamp|date|integer|int|double|boolean|long|float|\.", re.I)


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", f"--git-dir={repo}", *args], capture_output=True, text=True, check=True).stdout


def java_fields(repo: str, tag: str, files: list[str], klass: str) -> dict[str, str]:
    """field name -> declaration ("int x", "ValueType valueType = ValueType.TEXT"), base classes included."""
    out: dict[str, str] = {}
    while klass:
        path = next((f for f in files if f.endswith(f"/{klass}.java") and "/dhis-api/" in f), None)
        if path is None:
            break
        src = git(repo, "show", f"{tag}:{path}")
        for m in re.finditer(r"^\s+(?:private|protected) ([\w<>, ?]+) (\w+)( =[^;]+)?;", src, re.M):
            out.setdefault(m.group(2), m.group(0).strip())
        base = re.search(r"\bclass " + klass + r"\b[^{]*?\bextends (\w+)", src)
        klass = base.group(1) if base else ""
    return out


def parse(repo: str, tag: str, files: list[str], klass: str) -> dict:
    path = next((f for f in files if f.endswith(f"/{klass}.hbm.xml")), None)
    if path is None:
        return {}
    text = git(repo, "show", f"{tag}:{path}")
    entities = {}
    for name, ref in re.findall(r'<!ENTITY (\w+) SYSTEM "classpath://([^"]+)">', text):
        inc = next((f for f in files if f.endswith(ref)), None)
        entities[name] = git(repo, "show", f"{tag}:{inc}") if inc else ""
    text = re.sub(r"<!DOCTYPE.*?\]\s*>|<!DOCTYPE[^>]*>", "", text, count=1, flags=re.S)
    for name, body in entities.items():
        text = text.replace(f"&{name};", body)
    root = ET.fromstring(text)
    fields = java_fields(repo, tag, files, klass)
    renamed = RENAMED.get(klass, {})
    required, unique, lengths = [], [], {}
    for el in root.iter():
        if el.tag not in ("property", "many-to-one"):
            continue
        a, col = el.attrib, el.find("column")
        ca = col.attrib if col is not None else {}
        java = a["name"]
        name = renamed.get(java, java)
        if java in SYSTEM:
            continue
        not_null = (a.get("not-null") or ca.get("not-null")) == "true"
        decl = fields.get(java, "")
        primitive_or_default = bool(re.match(r"(private|protected) (int|boolean|double|long|float) ", decl)) or bool(
            re.search(r"\s=\s", decl)
        )
        target = a.get("class", "").rsplit(".", 1)[-1] or decl.split(" ")[1] if decl else a.get("class", "")
        default_class = el.tag == "many-to-one" and target.rsplit(".", 1)[-1] in DEFAULT_CLASSES
        if not_null and not primitive_or_default and not default_class:
            required.append(name)
        if el.tag == "property":
            if (a.get("unique") or ca.get("unique")) == "true":
                unique.append(name)
            typ = a.get("type") or ca.get("sql-type") or ""
            length = a.get("length") or ca.get("length")
            is_string = decl.startswith(("private String ", "protected String ")) or (
                not decl and java in ("code", "name", "shortName", "description", "formName")
            )
            if length and is_string:  # E4001 applies to String values only (validateString)
                lengths[name] = int(length)
            elif (
                not typ
                and (
                    decl.startswith(("private String ", "protected String "))
                    or java in ("code", "name", "shortName", "description", "formName")
                )
            ) or (
                typ and not NON_STRING_TYPES.search(typ) and decl.startswith(("private String ", "protected String "))
            ):
                lengths[name] = 255
    for name in ANNOTATED_REQUIRED.get(klass, ()):
        if name not in required:
            required.append(name)
    return {"required": tuple(required), "unique": tuple(unique), "lengths": lengths}


def main(repo: str) -> None:
    table: dict[str, dict[str, dict]] = {}
    for version, tag in TAGS.items():
        files = git(repo, "ls-tree", "-r", "--name-only", tag).splitlines()
        files = [f for f in files if "/test/" not in f]
        for type_name, klass in CLASSES.items():
            entry = parse(repo, tag, files, klass)
            if entry:
                table.setdefault(type_name, {})[version] = entry
    print('"""Generated by scripts/dhis2_schema_table.py from dhis2-core\'s Hibernate mappings (do not edit).')
    print()
    print("Per metadata type and DHIS2 version (newest patch of each minor:")
    print(", ".join(TAGS.values()) + "):")
    print("required (E4000), unique (E5003) and maximum lengths (E4001) of the stored properties.")
    print('"""')
    print()
    print("# fmt: off")
    print("TABLE = " + pprint.pformat(table, width=110, sort_dicts=False))
    print("# fmt: on")


if __name__ == "__main__":
    main(sys.argv[1])
