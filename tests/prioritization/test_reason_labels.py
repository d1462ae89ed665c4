"""The reason labels' one home is prioritization.reason_labels; until the book imports
them from there, its copy must say the same words."""

from portal.book.labels import REASON_LABELS as BOOK_LABELS
from prioritization.reason_labels import REASON_LABELS, reason_codes, reason_label


def test_the_book_and_the_api_use_the_same_labels():
    assert BOOK_LABELS == REASON_LABELS


def test_an_unknown_code_reads_as_itself():
    assert [reason_label(code) for code in reason_codes("default;;new_rule")] == [
        "No Pr1 criterion met",
        "new_rule",
    ]
