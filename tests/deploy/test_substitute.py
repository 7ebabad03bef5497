from dhis2_mch.deploy.substitute import remaining_placeholders, substitute


def test_default_uids_and_root_are_replaced_in_references_and_expressions():
    payload = {
        "dataElements": [{"id": "a", "categoryCombo": {"id": "bjDvmb4bfuf"}}],
        "indicators": [{"numerator": "#{deUid12345.HllvX50cXC0}"}],
        "visualizations": [{"organisationUnits": [{"id": "<OU_ROOT_UID>"}]}],
    }
    table = {"bjDvmb4bfuf": "CcInstance1", "HllvX50cXC0": "CocInstanc1", "<OU_ROOT_UID>": "RootOuUid01"}
    out = substitute(payload, table)
    assert out["dataElements"][0]["categoryCombo"]["id"] == "CcInstance1"
    assert out["indicators"][0]["numerator"] == "#{deUid12345.CocInstanc1}"
    assert out["visualizations"][0]["organisationUnits"][0]["id"] == "RootOuUid01"
    assert remaining_placeholders(out) == [] and remaining_placeholders(payload) == ["<OU_ROOT_UID>"]
    assert payload["dataElements"][0]["categoryCombo"]["id"] == "bjDvmb4bfuf"  # the input is not changed
