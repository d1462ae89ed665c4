"""The words every face shows for the reason codes (prioritization/reason_labels.py)."""

from prioritization.reason_labels import reason_codes, reason_label


def test_an_unknown_code_reads_as_itself():
    assert [reason_label(code) for code in reason_codes("default;;new_rule")] == [
        "No Pr1 criterion met",
        "new_rule",
    ]
