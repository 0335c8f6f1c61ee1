"""RFM named groups from recency and frequency quintiles (pure; the SQL uses the same table)."""

from audiences.models import RfmGroup

# (recency scores, frequency scores) -> group, first match wins. 5 is best.
RFM_GROUPS: list[tuple[frozenset[int], frozenset[int], str]] = [
    (frozenset({5}), frozenset({4, 5}), RfmGroup.CHAMPIONS),
    (frozenset({3, 4}), frozenset({4, 5}), RfmGroup.LOYAL),
    (frozenset({4, 5}), frozenset({2, 3}), RfmGroup.POTENTIAL_LOYALIST),
    (frozenset({5}), frozenset({1}), RfmGroup.NEW),
    (frozenset({4}), frozenset({1}), RfmGroup.PROMISING),
    (frozenset({3}), frozenset({1, 2, 3}), RfmGroup.NEEDS_ATTENTION),
    (frozenset({1, 2}), frozenset({5}), RfmGroup.CANT_LOSE),
    (frozenset({1, 2}), frozenset({3, 4}), RfmGroup.AT_RISK),
    (frozenset({1}), frozenset({1}), RfmGroup.LOST),
    (frozenset({1, 2}), frozenset({1, 2}), RfmGroup.HIBERNATING),
]


def rfm_group(recency: int | None, frequency: int | None) -> str:
    """The group of an (R, F) pair; a customer with no order in the window is `lost`."""
    if recency is None or frequency is None:
        return RfmGroup.LOST
    for recencies, frequencies, group in RFM_GROUPS:
        if recency in recencies and frequency in frequencies:
            return group
    raise ValueError(f"R={recency}, F={frequency} is outside 1..5")


def rfm_group_sql(r_column: str, f_column: str) -> str:
    """The same table as a SQL CASE expression (portable: PostgreSQL and SQLite)."""
    branches = [
        f"WHEN {r_column} IN ({', '.join(map(str, sorted(rs)))}) AND {f_column} IN ({', '.join(map(str, sorted(fs)))})"
        f" THEN '{group.value}'"
        for rs, fs, group in RFM_GROUPS
    ]
    return f"CASE {' '.join(branches)} ELSE '{RfmGroup.LOST.value}' END"


def rfm_label(group: str) -> str:
    """What every screen shows for a group: 'Potential loyalist', never 'potential_loyalist'."""
    return RfmGroup(group).label if group else "No orders"
