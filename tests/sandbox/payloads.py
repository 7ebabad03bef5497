"""Small metadata and data payloads for the sandbox tests (deterministic UIDs)."""

from __future__ import annotations

from dhis2_mch.model.uid import derive_uid
from dhis2_mch.sandbox.seed import org_unit_uid

FEMALE, MALE = derive_uid("categoryOption", "T_FEMALE"), derive_uid("categoryOption", "T_MALE")
SEX = derive_uid("category", "T_SEX")
SEX_COMBO = derive_uid("categoryCombo", "T_SEX")
COC_FEMALE = derive_uid("categoryOptionCombo", "T_SEX/T_FEMALE")
DE_COUNT = derive_uid("dataElement", "T_COUNT")  # INTEGER_ZERO_OR_POSITIVE, disaggregated by sex
DE_NUMBER = derive_uid("dataElement", "T_NUMBER")  # NUMBER, default combo, zero significant
DE_TOPIC = derive_uid("dataElement", "T_TOPIC")  # TEXT with an option set
DE_OTHER = derive_uid("dataElement", "T_OTHER")  # in no data set
DE_EVENT = derive_uid("dataElement", "T_EVENT")  # tracker data element of the event program
OPTION_SET = derive_uid("optionSet", "T_TOPIC")
DATA_SET = derive_uid("dataSet", "T_MONTHLY")
PROGRAM = derive_uid("program", "T_SESSION")
STAGE = derive_uid("programStage", "T_SESSION")
HOA_THANG, SONG_LUY, SI_MA_CAI = org_unit_uid("23053"), org_unit_uid("23023"), org_unit_uid("02809")


def ref(uid: str) -> dict:
    return {"id": uid}


def data_element(uid: str, code: str, value_type: str = "INTEGER_ZERO_OR_POSITIVE", **extra) -> dict:
    return {
        "id": uid,
        "code": code,
        "name": f"T - {code}",
        "shortName": f"T {code}",
        "valueType": value_type,
        "domainType": "AGGREGATE",
        "aggregationType": "SUM",
        "categoryCombo": ref("bjDvmb4bfuf"),
        **extra,
    }


def package() -> dict:
    """Category model for sex, four aggregate data elements, a monthly data set, an event program."""
    return {
        "categoryOptions": [
            {"id": FEMALE, "code": "T_FEMALE", "name": "Nữ", "shortName": "Nữ"},
            {"id": MALE, "code": "T_MALE", "name": "Nam", "shortName": "Nam"},
        ],
        "categories": [
            {
                "id": SEX,
                "code": "T_SEX",
                "name": "Giới tính",
                "shortName": "Giới tính",
                "dataDimensionType": "DISAGGREGATION",
                "categoryOptions": [ref(FEMALE), ref(MALE)],
            }
        ],
        "categoryCombos": [
            {
                "id": SEX_COMBO,
                "code": "T_SEX",
                "name": "Giới tính",
                "dataDimensionType": "DISAGGREGATION",
                "categories": [ref(SEX)],
            }
        ],
        # one of the two COCs is sent (kept with its UID and code), the other is generated
        "categoryOptionCombos": [
            {
                "id": COC_FEMALE,
                "code": "T_SEX_F",
                "name": "Nữ",
                "categoryCombo": ref(SEX_COMBO),
                "categoryOptions": [ref(FEMALE)],
            }
        ],
        "optionSets": [
            {
                "id": OPTION_SET,
                "code": "T_TOPIC",
                "name": "T topics",
                "valueType": "TEXT",
                "options": [ref(derive_uid("option", "T_TOPIC/A")), ref(derive_uid("option", "T_TOPIC/B"))],
            }
        ],
        "options": [
            {"id": derive_uid("option", "T_TOPIC/A"), "code": "A", "name": "Topic A", "optionSet": ref(OPTION_SET)},
            {"id": derive_uid("option", "T_TOPIC/B"), "code": "B", "name": "Topic B", "optionSet": ref(OPTION_SET)},
        ],
        "dataElements": [
            data_element(DE_COUNT, "T_COUNT", categoryCombo=ref(SEX_COMBO)),
            data_element(DE_NUMBER, "T_NUMBER", "NUMBER", zeroIsSignificant=True),
            data_element(DE_TOPIC, "T_TOPIC", "TEXT", optionSet=ref(OPTION_SET)),
            data_element(DE_OTHER, "T_OTHER"),
            data_element(DE_EVENT, "T_EVENT", domainType="TRACKER"),
        ],
        "dataSets": [
            {
                "id": DATA_SET,
                "code": "T_MONTHLY",
                "name": "T monthly",
                "shortName": "T monthly",
                "periodType": "Monthly",
                "openFuturePeriods": 1,
                "categoryCombo": ref("bjDvmb4bfuf"),
                # assigned: from 2.39 only data sets assigned to a value's org unit decide E7640/E7641/E7643
                "organisationUnits": [ref(HOA_THANG), ref(SI_MA_CAI)],
                "dataSetElements": [
                    {"dataElement": ref(d), "dataSet": ref(DATA_SET)} for d in (DE_COUNT, DE_NUMBER, DE_TOPIC)
                ],
            }
        ],
        "programs": [
            {
                "id": PROGRAM,
                "code": "T_SESSION",
                "name": "T session",
                "shortName": "T session",
                "programType": "WITHOUT_REGISTRATION",
                "categoryCombo": ref("bjDvmb4bfuf"),
                "programStages": [ref(STAGE)],
                "organisationUnits": [ref(HOA_THANG), ref(SI_MA_CAI)],
            }
        ],
        "programStages": [
            {
                "id": STAGE,
                "name": "T session",
                "program": ref(PROGRAM),
                "programStageDataElements": [
                    {"id": derive_uid("psde", "T_EVENT"), "dataElement": ref(DE_EVENT), "compulsory": True}
                ],
            }
        ],
    }


def value(de: str = DE_NUMBER, period: str = "202404", ou: str = HOA_THANG, v="5", **extra) -> dict:
    return {"dataElement": de, "period": period, "orgUnit": ou, "value": v, **extra}
