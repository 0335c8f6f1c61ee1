"""What the admin's visual rule builder offers: the registered segment fields with their operators and values,
and the segments a rule may nest. Read from the field registry (`fields.py`), so a field an app registers appears
in the builder without a change here. Fields are offered by label, in the order of their labels."""

from audiences.rfm import rfm_label
from audiences.segments.fields import segment_fields
from audiences.segments.selectors import segment_list

# Choice values shown by label where a label exists ("Potential loyalist", not "potential_loyalist").
CHOICE_LABELS = {"rfm_segment": rfm_label}
ATTRIBUTE_OPS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", "contains", "exists")


def builder_catalog(*, exclude_segment: str | None = None) -> dict:
    label = CHOICE_LABELS.get
    return {
        "fields": [
            {
                "name": field.name,
                "label": field.display_label,
                "kind": field.kind,
                "ops": list(field.ops),
                "choices": [[value, (label(field.name) or str)(value)] for value in field.choices],
                "within_days": field.accepts_within_days,
                "description": field.description,
                "options": [[key, label] for key, label in field.options.items()],
                "op_labels": field.op_labels,
            }
            for field in sorted(segment_fields(), key=lambda field: field.display_label.casefold())
        ],
        "attribute_ops": list(ATTRIBUTE_OPS),
        "segments": [[s.code, s.name] for s in segment_list().exclude(code=exclude_segment or "")],
    }
