"""Bounds on rendering a template: refused at save, shown in preview, recorded in the outbox (issue #14 item 8)."""

import itertools

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from messaging import sandbox
from messaging.models import Template, TemplateTranslation
from messaging.rendering import TemplateRenderError, render_text
from messaging.sandbox import RenderBudget
from messaging.services.dispatch import outbox_dispatch

PADDED = '{{ ""|ljust:"2000000" }}'  # 2 MB of spaces from 24 characters
LOOPS = "".join(f'{{% for {v} in "{"x" * 100}" %}}' for v in "abc") + "." + "{% endfor %}" * 3  # 10^6 dots


pytestmark = pytest.mark.django_db


def dispatch():
    return outbox_dispatch()


def budget(*, steps=10**6, chars=10**6, seconds=60.0) -> RenderBudget:
    return RenderBudget(max_steps=steps, max_chars=chars, max_seconds=seconds)


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (PADDED, "the filter 'ljust' cannot take '2000000': a value would be longer than 200000 characters"),
        (LOOPS, "over a render limit: more than 100000 steps"),
        ("{% if customer.orders_count %}{{ customer.orders_count|divisibleby:'0' }}{% endif %}", "modulo by zero"),
        ("Hi\n{% querystring %}", "line 2: the tag 'querystring' is not allowed in messages."),
        ("{% lorem 999999999 w %}", "the tag 'lorem' is not allowed in messages."),
        ('{{ 1|floatformat:"999999999" }}', "the filter 'floatformat' cannot take '999999999'"),
        ("{% if a %}" * 31 + "{% endif %}" * 31, "line 1: tags are nested more than 30 deep."),
        ("{% if a %}" * 2000 + "{% endif %}" * 2000, "tags are nested more than 30 deep."),
    ],
)
def test_a_template_that_cannot_render_is_refused_at_save(marketer, body, says, settings):
    # The step limit, not the clock, is what refuses the loops: a busy host must not reach the time limit first.
    settings.MESSAGING_RENDER_MAX_SECONDS = 60
    assert len(LOOPS) == 388
    template = {"code": "bomb", "name": "Bomb", "channel": "sms", "translations": [{"language": "en", "body": body}]}

    response = marketer.post("/api/v1/templates", template, format="json")

    assert response.status_code == 400
    assert says in response.json()["fields"]["translations[0].body"][0]
    assert not Template.objects.filter(code__in=["bomb", "spring"]).exists()


def test_thirty_nested_tags_render():
    body = "{% if customer %}" * 30 + "{{ customer.first_name }}" + "{% endif %}" * 30
    assert render_text(body, {"customer": {"first_name": "Rahim"}}, autoescape=False) == "Rahim"


def test_the_admin_refuses_the_same_at_save(admin_client):
    from tests.messaging.test_admin import template_form

    page = admin_client.post("/admin/messaging/template/add/", template_form(**{"translations-0-body": LOOPS}))

    assert page.status_code == 200
    assert "more than 100000 steps" in page.content.decode()
    assert not Template.objects.filter(code__in=["bomb", "spring"]).exists()


def test_the_limits_are_the_settings(settings):
    settings.MESSAGING_RENDER_MAX_STEPS = 10**7
    settings.MESSAGING_RENDER_MAX_SECONDS = 120
    settings.MESSAGING_RENDER_MAX_CHARS = 3 * 10**6
    assert len(render_text(LOOPS, {}, autoescape=False)) == 10**6

    settings.MESSAGING_RENDER_MAX_CHARS = 999_999
    with pytest.raises(TemplateRenderError, match="longer than 999999 characters") as error:
        render_text(LOOPS, {}, autoescape=False)
    assert error.value.over_limit


def test_rendering_stops_at_the_time_limit_without_signals(monkeypatch):
    clock = itertools.count(start=1000.0, step=0.01)  # each look at the clock: 10 ms later
    monkeypatch.setattr(sandbox.time, "monotonic", lambda: next(clock))

    with pytest.raises(TemplateRenderError, match="took more than 2 s"):
        render_text("{% for x in items %}{{ x }}{% endfor %}", {"items": list(range(1000))}, autoescape=False,
                    budget=budget(seconds=2))  # fmt: skip

    fast = render_text("{% for x in items %}{{ x }}{% endfor %}", {"items": [1, 2]}, autoescape=False,
                       budget=budget(seconds=2))  # fmt: skip
    assert fast == "12"


@hypothesis_settings(max_examples=60, deadline=None)
@given(outer=st.integers(0, 60), inner=st.integers(0, 60), max_steps=st.integers(1, 4000))
def test_nested_loops_render_whole_or_stop_at_the_step_budget(outer, inner, max_steps):
    source = "{% for a in xs %}{% for b in ys %}.{% endfor %}{% endfor %}"
    context = {"xs": list(range(outer)), "ys": list(range(inner))}
    try:
        output = render_text(source, context, autoescape=False, budget=budget(steps=max_steps))
    except TemplateRenderError as error:
        assert error.over_limit
        assert 3 * (outer * inner + outer + 1) > max_steps  # a loop that fits with room to spare never stops
    else:
        assert output == "." * (outer * inner)
        assert outer * inner <= max_steps  # every dot was a step


@hypothesis_settings(max_examples=60, deadline=None)
@given(width=st.integers(0, 5000), max_chars=st.integers(1, 3000), name=st.sampled_from(["ljust", "rjust", "center"]))
def test_padding_never_builds_more_than_the_character_budget(width, max_chars, name):
    try:
        output = render_text(f'{{{{ "ab"|{name}:"{width}" }}}}', {}, autoescape=False, budget=budget(chars=max_chars))
    except TemplateRenderError as error:
        assert error.over_limit and max(width, 2) > max_chars
    else:
        assert len(output) == max(width, 2) <= max_chars


def test_a_message_over_a_limit_fails_with_its_reason_and_the_batch_goes_on(
    make_customer, make_template, enqueue, settings
):
    # Saved fine (over empty values the loops do not run), too big for a customer with a name.
    bomb = make_template(
        code="bomb",
        channel="sms",
        translations=[
            {
                "language": "en",
                "body": '{% if customer.first_name %}{% for a in customer.first_name|ljust:"400" %}'
                '{% for b in customer.first_name|ljust:"400" %}.{% endfor %}{% endfor %}{% endif %}',
            }
        ],
    )
    failing = enqueue(make_customer(), bomb)
    fine = enqueue(make_customer(), make_template(code="fine", channel="sms"))

    report = dispatch()

    failing.refresh_from_db()
    fine.refresh_from_db()
    assert (failing.status, failing.reason) == ("failed", "template_limit")
    assert "went over a render limit: " in failing.error and "more than 100000 steps" in failing.error
    assert fine.status == "sent" and report.sent == 1


def test_a_template_saved_before_the_rules_fails_its_messages_instead_of_the_batch(
    make_customer, make_template, enqueue
):
    old = make_template(code="old", channel="sms")
    TemplateTranslation.objects.filter(template=old).update(body="Hi {% querystring %}")
    failing = enqueue(make_customer(), old)

    dispatch()

    failing.refresh_from_db()
    assert (failing.status, failing.reason) == ("failed", "template_error")
    assert "'querystring' is not allowed" in failing.error


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{{ 5|divisibleby:customer.orders_count }}", "line 1: integer modulo by zero (ZeroDivisionError)"),
        ("Hi {% querystring %}", "line 1: the tag &#x27;querystring&#x27; is not allowed in messages."),
        (
            '{% if customer.first_name %}{% for a in customer.first_name|ljust:"400" %}'
            '{% for b in customer.first_name|ljust:"400" %}.{% endfor %}{% endfor %}{% endif %}',
            "over a render limit: more than 100000 steps",
        ),
    ],
)
def test_the_preview_shows_a_render_error_as_a_message(admin_client, make_customer, make_template, body, says):
    customer = make_customer()
    template = make_template(code="fine", channel="sms")
    TemplateTranslation.objects.filter(template=template).update(body=body)  # as if saved before the rules

    page = admin_client.get(f"/admin/messaging/template/{template.pk}/preview/", {"customer": customer.external_id})

    assert page.status_code == 200
    html = page.content.decode()
    assert f"The en text cannot be shown for {customer.external_id}: " in html and says in html
