"""Every default in the schema and in configs/ has a row with its unit and source."""

from sim.config import parameters


def test_every_config_key_has_a_documented_source():
    assert parameters.undocumented() == []


def test_parameters_doc_is_up_to_date():
    assert parameters.DOC.read_text() == parameters.render(), (
        "docs/PARAMETERS.md is stale: run python -m sim.config.parameters"
    )


def test_a_new_key_without_source_is_caught(monkeypatch):
    monkeypatch.setattr(parameters, "SOURCES", parameters.SOURCES[:5])
    assert "county.department_staff" in parameters.undocumented()
