"""The lead pipeline (pure): forward only, steps may be skipped, won and lost final; lost needs a reason, won a
value."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campaigns.leads.pipeline import LeadStatus, LostReason, check_move
from config.errors import Conflict, DomainError

ORDER = list(LeadStatus)  # new, contacted, test_drive, won, lost: the pipeline's order


@pytest.mark.parametrize(
    ("current", "target"),
    [("new", "contacted"), ("new", "won"), ("contacted", "test_drive"), ("test_drive", "lost"), ("won", "won")],
)
def test_forward_moves_and_staying_put_are_allowed(current, target):
    assert check_move(current, target, lost_reason="price", has_value=True) == target


@pytest.mark.parametrize(("current", "target"), [("contacted", "new"), ("won", "lost"), ("lost", "new")])
def test_backward_moves_and_leaving_a_final_status_are_conflicts_naming_the_status(current, target):
    with pytest.raises(Conflict) as refused:
        check_move(current, target, lost_reason="price", has_value=True)
    assert refused.value.code == "invalid_transition" and refused.value.extra == {"status": current}


def test_lost_needs_a_known_reason_and_won_a_value():
    with pytest.raises(DomainError, match="lost_reason"):
        check_move("new", "lost", lost_reason="")
    with pytest.raises(DomainError, match="lost_reason"):
        check_move("new", "lost", lost_reason="weather")
    with pytest.raises(DomainError, match="value"):
        check_move("test_drive", "won", has_value=False)
    with pytest.raises(DomainError, match="Unknown lead status 'sold'"):
        check_move("new", "sold")


@given(st.lists(st.sampled_from(ORDER), max_size=12), st.sampled_from(list(LostReason)))
def test_any_sequence_of_requests_only_ever_moves_forward_and_never_leaves_won_or_lost(requests, reason):
    status = LeadStatus.NEW
    for target in requests:
        try:
            moved = check_move(status, target, lost_reason=reason, has_value=True)
        except Conflict:
            assert status in (LeadStatus.WON, LeadStatus.LOST) or ORDER.index(target) < ORDER.index(status)
            continue
        assert moved is status or status not in (LeadStatus.WON, LeadStatus.LOST)
        assert moved is status or ORDER.index(moved) > ORDER.index(status)
        status = moved
