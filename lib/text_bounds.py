"""How much text a person may give (issue 12 point 7): pure, no Django.

One bound per kind of text, read by the forms, the models, the write services and the
import formats alike, so that no way in stores what another refuses:

- comments and justifications (a priority fact's comment, an exception's or a proposal's
  justification, a decision's comment, a disengagement's explanation): 2,000 characters,
  what a manager reads in a 1:1;
- notes (of a logged activity, of an engagement): 10,000 characters, the bound the CRM
  feed's activities have had since DESIGN 10, about three pages of call minutes; the
  forms allowed only 4,000 while an import stored 10,000, which an edit then refused;
- a success-plan change's notes: 1,000 fewer, the room its own words take in the entry
  (two objective titles of 200 characters, the due date and the plan's state).
"""

from __future__ import annotations

COMMENT_MAX_LENGTH = 2_000
NOTES_MAX_LENGTH = 10_000
PLAN_CHANGE_SUMMARY_ROOM = 1_000
PLAN_CHANGE_NOTES_MAX_LENGTH = NOTES_MAX_LENGTH - PLAN_CHANGE_SUMMARY_ROOM


def too_long(text: str, max_length: int) -> str | None:
    """The one message for text over its bound (form, service and model say the same)."""
    if len(text) <= max_length:
        return None
    return f"At most {max_length:,} characters (this one has {len(text):,})."
