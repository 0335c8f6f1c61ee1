"""The campaigns' background export (config/exports.py): a campaign's results, per variant and in total,
the same figures as its results page and results.csv."""

import csv
import io

from campaigns import results
from campaigns.api.csv_export import COLUMNS, results_csv
from campaigns.api.results import results_answer
from campaigns.models import Campaign
from config.exports import Export, register_export


def _campaign(params: dict) -> Campaign | None:
    return Campaign.objects.filter(pk=params.get("campaign")).first()


def _chunks(params: dict, size: int):
    campaign = _campaign(params)
    if campaign is None:
        raise ValueError(f"there is no campaign {params.get('campaign')}.")
    rows = list(csv.reader(io.StringIO(results_csv(results_answer(results.campaign_results(campaign))))))[1:]
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


register_export(
    Export(
        key="campaign-results",
        title="Campaign results",
        permission="campaigns.view_campaign",
        columns=lambda params: list(COLUMNS),
        count=lambda params: (_campaign(params).variants.count() + 1) if _campaign(params) else 0,
        chunks=_chunks,
        param="campaign",
        describe=lambda params: str(_campaign(params) or f"campaign {params.get('campaign')}"),
        position=50,
    )
)
