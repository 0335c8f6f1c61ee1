"""Templates: create and update them with their translations and timing, refusing what cannot render."""

from django.core.exceptions import ValidationError
from django.db import transaction

from audiences.models import ConsentTopic, Product
from messaging.models import Template, TemplateTranslation
from messaging.rendering import translation_errors


def _check_translations(translations: list[dict]) -> None:
    errors = {}
    languages = set()
    for index, translation in enumerate(translations):
        language = translation.get("language")
        if language in languages:
            errors[f"translations[{index}].language"] = f"'{language}' is given twice."
        languages.add(language)
        for name, problem in translation_errors(translation).items():
            errors[f"translations[{index}].{name}"] = problem
    if errors:
        raise ValidationError(errors)


def _save_translations(template: Template, translations: list[dict]) -> None:
    for translation in translations:
        values = {name: translation.get(name) or "" for name in ("subject", "preheader", "html", "text", "body")}
        TemplateTranslation.objects.update_or_create(
            template=template, language=translation["language"], defaults=values
        )


def _apply_timing(template: Template, timing: dict) -> None:
    """Set the given timing fields; a send window needs both its ends."""
    for name, value in timing.items():
        setattr(template, name, value)
    if (template.send_window_start is None) != (template.send_window_end is None):
        raise ValidationError({"timing": "A send window needs both send_window_start and send_window_end."})


def _offer_product(sku: str | None) -> Product | None:
    """The product a template offers, by SKU; none for an empty one."""
    if not sku:
        return None
    product = Product.objects.filter(sku=sku).first()
    if product is None:
        raise ValidationError({"offer_product": f"Unknown product '{sku}'."})
    return product


@transaction.atomic
def template_create(
    *,
    code: str,
    name: str,
    channel: str,
    kind: str,
    topic: str = ConsentTopic.MARKETING,
    translations: list[dict],
    timing: dict | None = None,
    offer_product: str | None = None,
) -> Template:
    """`offer_product`: the SKU of the product the message offers (skipped as out_of_stock without it)."""
    if Template.objects.filter(code=code).exists():
        raise ValidationError({"code": f"A template with code '{code}' already exists."})
    if not translations:
        raise ValidationError({"translations": "Give at least one language."})
    _check_translations(translations)
    template = Template(
        code=code, name=name, channel=channel, kind=kind, topic=topic, offer_product=_offer_product(offer_product)
    )
    _apply_timing(template, timing or {})
    template.save()
    _save_translations(template, translations)
    return template


@transaction.atomic
def template_update(
    *, template: Template, translations: list[dict] | None = None, timing: dict | None = None, **fields
) -> Template:
    """Change the given fields and timing; each given translation replaces that language's, others stay;
    `offer_product` is a SKU (empty: no offer)."""
    if "offer_product" in fields:
        fields["offer_product"] = _offer_product(fields["offer_product"])
    if translations is not None:
        _check_translations(translations)
        _save_translations(template, translations)
    for name, value in fields.items():
        setattr(template, name, value)
    _apply_timing(template, timing or {})
    template.save()
    return template
