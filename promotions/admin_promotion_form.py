"""The promotion form without JSON: a reward type chooser with that type's fields, pickers with autocomplete
for targets, stores and segments, eligibility fields, the currency beside every amount.

The reward fields come from the reward registry (`option_kinds` on each class), so a type registered by any
app gets its fields here with no edit. The JSON of reward, target and eligibility stays on the page as the
"advanced" view: it shows what is saved, and with "Edit as JSON" ticked it is what is saved. Eligibility keys
the form does not ask for (a condition another app registers) are kept as they are.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.html import format_html

from audiences.payment_methods import PAYMENT_METHOD_CHOICES
from audiences.selectors import PICKER_KINDS, picker_labels, picker_search
from promotions.engine.conditions import condition_names
from promotions.engine.parsing import MAX_MONEY, TARGET_KEYS
from promotions.engine.rewards.registry import (
    MONEY,
    PERCENT,
    TARGET,
    WHOLE,
    Choice,
    Rows,
    reward_class,
    reward_type_names,
)
from promotions.engine.types import SubtotalBasis
from promotions.lifecycle import REQUESTABLE
from promotions.models import PROMOTION_FIELDS, Promotion
from promotions.services.definitions import promotion_clean

EDITABLE = list(PROMOTION_FIELDS)
DEFINITIONS = ("reward", "target", "eligibility")
TARGET_PICKERS = {"skus": "products", "categories": "categories", "brands": "brands",
                  "exclude_skus": "products", "exclude_categories": "categories"}  # fmt: skip
TARGET_LABELS = {"skus": "Products", "categories": "Categories (with their subcategories)", "brands": "Brands",
                 "exclude_skus": "Except products", "exclude_categories": "Except categories"}  # fmt: skip
ANY_CURRENCY = "in the cart's currency"
# The eligibility keys this form asks for; a registered condition not named here stays in the JSON.
ASKED_CONDITIONS = ("segments", "first_order_only", "loyalty_tiers")
ELIGIBILITY_ASKED = ("min_subtotal", "min_quantity", "subtotal_basis", "payment_methods", *ASKED_CONDITIONS)


def label_of(name: str) -> str:
    return name.replace("_", " ").capitalize()


class PickerWidget(forms.SelectMultiple):
    """The admin's own select2 autocomplete (admin/js/autocomplete.js), asking `pick/<kind>/` of the promotion
    admin; the chosen values are rendered with their labels (a category with its tree)."""

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__(attrs={"class": "admin-autocomplete", "data-theme": "admin-autocomplete",
                                "data-ajax--cache": "true", "data-ajax--delay": 250, "data-ajax--type": "GET",
                                "data-placeholder": f"Search {kind}", "data-picker": kind})  # fmt: skip

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs)
        attrs["data-ajax--url"] = reverse("admin:promotions_promotion_pick", args=[self.kind])
        return attrs

    def optgroups(self, name, value, attrs=None):
        values = [v for v in value if v]
        labels = picker_labels(kind=self.kind, values=values)
        options = [self.create_option(name, v, labels.get(v, v), True, n, attrs=attrs) for n, v in enumerate(values)]
        return [(None, options, 0)]

    @property
    def media(self):
        return forms.Media(
            js=["admin/js/vendor/jquery/jquery.js", "admin/js/vendor/select2/select2.full.js",
                "admin/js/jquery.init.js", "admin/js/autocomplete.js"],
            css={"screen": ["admin/css/vendor/select2/select2.css", "admin/css/autocomplete.css"]},
        )  # fmt: skip


class PickerField(forms.MultipleChoiceField):
    """Codes picked from a search; whether each exists is for the definition's own checks to say."""

    def __init__(self, kind: str, **kwargs):
        super().__init__(required=False, widget=PickerWidget(kind), **kwargs)

    def valid_value(self, value):
        return isinstance(value, str) and bool(value.strip())


class AmountInput(forms.TextInput):
    """A number with what it counts beside it: the promotion's currency (kept current by promotion_form.js)
    or a percent sign."""

    def __init__(self, unit: str = ""):
        self.unit = unit
        super().__init__(attrs={"inputmode": "decimal", "class": "vTextField amount", "size": 12})

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        if self.unit == "%":
            return format_html('{} <span class="unit">%</span>', field)
        return format_html('{} <span class="unit promotion-currency">{}</span>', field, self.unit or ANY_CURRENCY)


class WordsField(forms.CharField):
    """A short list typed as words separated by commas ("web, app")."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        return [word.strip() for word in (super().to_python(value) or "").split(",") if word.strip()]


def field_for_kind(kind, label: str) -> forms.Field:
    if kind == MONEY:
        return forms.DecimalField(label=label, required=False, min_value=0, max_value=MAX_MONEY, widget=AmountInput())
    if kind == PERCENT:
        return forms.DecimalField(label=label, required=False, min_value=0, max_value=100, widget=AmountInput("%"))
    if kind == WHOLE:
        return forms.IntegerField(label=label, required=False, min_value=0)
    if isinstance(kind, Choice):
        return forms.ChoiceField(
            label=label, required=False, choices=[("", "---------")] + [(v, v) for v in kind.values]
        )
    return forms.CharField(label=label, required=False)


def target_fields(prefix: str) -> dict[str, forms.Field]:
    return {f"{prefix}__{key}": PickerField(TARGET_PICKERS[key], label=TARGET_LABELS[key]) for key in TARGET_KEYS}


def reward_fields(type_name: str) -> dict[str, forms.Field]:
    """The form fields of one reward type, named `reward__<type>__<option>` (rows: `..__<n>__<key>`)."""
    cls = reward_class(type_name)
    fields: dict[str, forms.Field] = {}
    for option in cls.options:
        kind = cls.option_kinds.get(option)
        prefix = f"reward__{type_name}__{option}"
        if kind == TARGET:
            fields.update(target_fields(prefix))
        elif isinstance(kind, Rows):
            for n in range(kind.rows):
                for key, row_kind in kind.kinds.items():
                    fields[f"{prefix}__{n}__{key}"] = field_for_kind(row_kind, f"{label_of(option)} {n + 1}: {key}")
        else:
            fields[prefix] = field_for_kind(kind, label_of(option))
    return fields


def reward_field_layout(type_name: str) -> list:
    """The fieldset lines of a reward type: one field a line, a row of a list on one line."""
    cls = reward_class(type_name)
    lines: list = []
    for option in cls.options:
        kind = cls.option_kinds.get(option)
        prefix = f"reward__{type_name}__{option}"
        if kind == TARGET:
            lines.extend(f"{prefix}__{key}" for key in TARGET_KEYS)
        elif isinstance(kind, Rows):
            lines.extend(tuple(f"{prefix}__{n}__{key}" for key in kind.kinds) for n in range(kind.rows))
        else:
            lines.append(prefix)
    return lines


def eligibility_fields() -> dict[str, forms.Field]:
    fields = {
        "eligibility__min_subtotal": field_for_kind(MONEY, "Minimum subtotal"),
        "eligibility__min_quantity": forms.IntegerField(label="Minimum quantity", required=False, min_value=0),
        "eligibility__subtotal_basis": forms.ChoiceField(
            label="Minimum subtotal of", choices=[(SubtotalBasis.CART, "the whole cart"),
                                                  (SubtotalBasis.TARGETED, "the targeted products")],
            initial=SubtotalBasis.CART, required=False),
        "eligibility__payment_methods": forms.MultipleChoiceField(
            label="Paid with", choices=PAYMENT_METHOD_CHOICES, required=False, widget=forms.CheckboxSelectMultiple,
            help_text="None ticked: any payment method."),
        "eligibility__segments": PickerField("segments", label="Customers in segments"),
        "eligibility__first_order_only": forms.BooleanField(label="First order only", required=False),
    }  # fmt: skip
    if "loyalty_tiers" in condition_names():
        fields["eligibility__loyalty_tiers"] = WordsField(label="Loyalty tiers", help_text="Tier names, by commas.")
    return fields


class PromotionFormBase(forms.ModelForm):
    # What a marketer may ask for; scheduled and expired follow from the dates (the list's status
    # column shows the live one).
    status = forms.ChoiceField(
        choices=[(value, Promotion.Status(value).label) for value in REQUESTABLE],
        initial=Promotion.Status.DRAFT,
        help_text="Active runs between the start and end dates (scheduled before, expired after). "
        "To end a promotion now, pause it or set its end date.",
    )
    stores = PickerField("stores", label="Stores", help_text="None: every store.")
    channels = WordsField(label="Channels", help_text="e.g. web, app, pos; empty: every channel.")
    budget = forms.DecimalField(required=False, min_value=0, max_value=MAX_MONEY, widget=AmountInput(),
                                help_text="Cap on the total discount it may give.")  # fmt: skip
    advanced = forms.BooleanField(
        label="Edit as JSON",
        required=False,
        help_text="Ticked: the JSON below is saved and the fields above are not (except stores and channels).",
    )
    reward = forms.CharField(label="Reward (JSON)", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    target = forms.CharField(label="Target (JSON)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    eligibility = forms.CharField(label="Eligibility (JSON)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Promotion
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.status not in REQUESTABLE:
            self.initial["status"] = Promotion.Status.ACTIVE  # scheduled and expired were asked as active
        for name in DEFINITIONS:
            self.initial[name] = json.dumps(getattr(instance, name) or ({} if name != "reward" else None), indent=2)
        if instance.currency:
            for field in self.fields.values():
                if isinstance(field.widget, AmountInput) and field.widget.unit != "%":
                    field.widget.unit = instance.currency
        if instance.pk and not self._show(instance):
            self.initial["advanced"] = True  # what the fields cannot hold is edited as JSON, never lost

    def _show(self, promotion: Promotion) -> bool:
        """Fill the fields from the saved definition; False if they cannot hold all of it."""
        reward, fits = promotion.reward if isinstance(promotion.reward, dict) else {}, True
        type_name = reward.get("type")
        if reward_class(type_name) is None:
            return False
        self.initial["reward_kind"] = type_name
        for option, value in reward.items():
            kind = reward_class(type_name).option_kinds.get(option)
            prefix = f"reward__{type_name}__{option}"
            if option == "type":
                continue
            if kind == TARGET and isinstance(value, dict):
                fits &= self._fill(prefix, value)
            elif isinstance(kind, Rows) and isinstance(value, list) and len(value) <= kind.rows:
                for n, row in enumerate(value):
                    fits &= isinstance(row, dict) and self._fill(f"{prefix}__{n}", row)
            elif prefix in self.fields and not isinstance(value, dict | list):
                self.initial[prefix] = value
            else:
                fits = False
        target = promotion.target if isinstance(promotion.target, dict) else {}
        eligibility = promotion.eligibility if isinstance(promotion.eligibility, dict) else {}
        fits &= self._fill("target", target)
        fits &= self._fill("eligibility", {k: v for k, v in eligibility.items() if k in ELIGIBILITY_ASKED})
        return fits

    def _fill(self, prefix: str, values: dict) -> bool:
        fits = True
        for key, value in values.items():
            if f"{prefix}__{key}" in self.fields:
                self.initial[f"{prefix}__{key}"] = value
            else:
                fits = False
        return fits

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("advanced"):
            for name in DEFINITIONS:
                try:
                    cleaned[name] = json.loads(cleaned.get(name) or ("null" if name == "reward" else "{}"))
                except ValueError as exc:
                    self.add_error(name, f"Enter valid JSON: {exc}.")
        else:
            cleaned["reward"] = self._composed_reward(cleaned)
            cleaned["target"] = composed_target(cleaned, "target")
            cleaned["eligibility"] = self._composed_eligibility(cleaned)
        if self.errors:
            return cleaned
        candidate = Promotion(pk=self.instance.pk, **{name: cleaned.get(name) for name in EDITABLE if name in cleaned})
        try:
            promotion_clean(candidate)
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                self.add_error(self._field_named(key, cleaned), errors)
        return cleaned

    def _composed_reward(self, cleaned) -> dict:
        type_name = cleaned.get("reward_kind")
        cls = reward_class(type_name)
        reward = {"type": type_name}
        for option in cls.options:
            kind = cls.option_kinds.get(option)
            prefix = f"reward__{type_name}__{option}"
            if kind == TARGET:
                value = composed_target(cleaned, prefix) or None
            elif isinstance(kind, Rows):
                rows = [{key: json_value(cleaned.get(f"{prefix}__{n}__{key}")) for key in kind.kinds}
                        for n in range(kind.rows)]  # fmt: skip
                value = [{k: v for k, v in row.items() if v is not None} for row in rows]
                value = [row for row in value if row] or None
            else:
                value = json_value(cleaned.get(prefix))
            if value is not None:
                reward[option] = value
        return reward

    def _composed_eligibility(self, cleaned) -> dict:
        saved = self.instance.eligibility if self.instance.pk and isinstance(self.instance.eligibility, dict) else {}
        eligibility = {key: value for key, value in saved.items() if key not in ELIGIBILITY_ASKED}
        for key in ELIGIBILITY_ASKED:
            value = json_value(cleaned.get(f"eligibility__{key}"))
            if value in (None, [], False) or (key == "subtotal_basis" and value == SubtotalBasis.CART):
                continue
            eligibility[key] = value
        return eligibility

    def _field_named(self, key: str, cleaned) -> str | None:
        """The form field an error of promotion_clean belongs on: `reward.tiers.0.amount` is the first tier's
        amount; the whole definition's box when editing JSON; the top of the form if no field shows it."""
        head, _, rest = key.partition(".")
        if cleaned.get("advanced") or head not in DEFINITIONS or not rest:
            return head if head in self.fields else None
        if head == "reward":
            name = f"reward__{cleaned.get('reward_kind')}__" + rest.replace(".", "__")
            if rest == "type":
                return "reward_kind"
        else:
            name = f"{head}__{rest.split('.')[0]}"
        if name in self.fields:
            return name
        first = next((field for field in self.fields if field.startswith(f"{name}__")), None)
        return first or ("reward_kind" if head == "reward" else None)


def json_value(value):
    """A cleaned form value as the definition's JSON holds it (amounts as exact strings)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    if value in ("", None):
        return None
    return value


def composed_target(cleaned, prefix: str) -> dict:
    return {key: cleaned[f"{prefix}__{key}"] for key in TARGET_KEYS if cleaned.get(f"{prefix}__{key}")}


def promotion_form_class() -> type[PromotionFormBase]:
    """The form with the fields of every reward type registered now."""
    names = reward_type_names()
    fields: dict[str, forms.Field] = {
        "reward_kind": forms.ChoiceField(
            label="Reward type", choices=[(name, label_of(name)) for name in names],
            initial="percentage" if "percentage" in names else None,
            widget=forms.Select(attrs={"data-reward-chooser": "true"}),
        ),
        **target_fields("target"),
        **eligibility_fields(),
    }  # fmt: skip
    for name in names:
        fields.update(reward_fields(name))
    return type("PromotionForm", (PromotionFormBase,), fields)


def promotion_fieldsets() -> list:
    rewards = [
        (f"Reward: {label_of(name)}", {"fields": reward_field_layout(name),
                                       "classes": ["reward-options", f"reward-options-{name}"]})
        for name in reward_type_names()
    ]  # fmt: skip
    return [
        (None, {"fields": ["name", "status", "trigger", "code", ("starts_at", "ends_at"), "priority", "stacking",
                           "currency"]}),
        ("Reward", {"fields": ["reward_kind"]}),
        *rewards,
        ("What it applies to", {"fields": [f"target__{key}" for key in TARGET_KEYS] + ["stores", "channels"],
                                "description": "Nothing picked: every product."}),
        ("Who may use it", {"fields": [*eligibility_fields(), "usage_limit", "usage_limit_per_customer", "budget"]}),
        ("Advanced: the definition as JSON", {"fields": ["advanced", *DEFINITIONS], "classes": ["collapse"]}),
    ]  # fmt: skip


def picker_view(model_admin, request, kind: str) -> JsonResponse:
    """What a picker offers for its search, in the shape select2 reads."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if kind not in PICKER_KINDS:
        raise Http404(f"No picker '{kind}'.")
    found = picker_search(kind=kind, term=request.GET.get("term", "")[:100])
    return JsonResponse({"results": [{"id": value, "text": label} for value, label in found],
                         "pagination": {"more": False}})  # fmt: skip
