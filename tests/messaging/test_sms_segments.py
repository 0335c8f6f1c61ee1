import pytest
from hypothesis import given
from hypothesis import strategies as st

from messaging.sms_segments import GSM7_BASIC, sms_info


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "units"),
    [
        ("", "gsm7", 0, 0),
        ("Hello Rahim, 15% off today!", "gsm7", 1, 27),
        ("a" * 160, "gsm7", 1, 160),
        ("a" * 161, "gsm7", 2, 161),
        ("a" * 306, "gsm7", 2, 306),
        ("a" * 307, "gsm7", 3, 307),
        ("Price: 100€", "gsm7", 1, 12),  # € is an extension character: two septets
        ("€" * 80, "gsm7", 1, 160),
        ("€" * 81, "gsm7", 2, 162),
        ("a" * 152 + "€", "gsm7", 1, 154),
        ("a" * 152 + "€" + "a" * 152, "gsm7", 3, 306),  # the € does not straddle parts one and two
        ("Karibu! Punguzo la 20%", "gsm7", 1, 22),  # Swahili fits GSM-7
        ("আপনার জন্য ১৫% ছাড়", "ucs2", 1, 19),  # Bengali forces UCS-2 (ড় is two code points)
        ("আ" * 70, "ucs2", 1, 70),
        ("আ" * 71, "ucs2", 2, 71),
        ("আ" * 134, "ucs2", 2, 134),
        ("আ" * 135, "ucs2", 3, 135),
        ("Hi 😀", "ucs2", 1, 5),  # an emoji is two UTF-16 units
        ("a" * 66 + "😀", "ucs2", 1, 68),
        ("a" * 69 + "😀", "ucs2", 2, 71),
    ],
)
def test_encoding_segments_and_units(text, encoding, segments, units):
    info = sms_info(text)
    assert (info.encoding, info.segments, info.units) == (encoding, segments, units)


def test_the_characters_that_force_ucs2_are_named():
    info = sms_info("Asante sana — karibu tena “rafiki”")
    assert info.encoding == "ucs2"
    assert info.ucs2_characters == ("—", "“", "”")
    assert sms_info("Plain text").ucs2_characters == ()


def test_a_text_in_a_script_gsm_lacks_is_information_not_a_list_of_its_letters():
    info = sms_info("Rahim, আপনার জন্য আজ ১৫% ছাড়! " * 5)
    assert info.script == "Bengali" and info.encoding_warning is None
    assert info.encoding_note == (
        "Bengali text is sent as Unicode (UCS-2): 70 characters per message, 67 per part of a longer one."
    )
    assert info.length_summary == "155 characters: 3 messages of up to 67"


def test_a_gsm_text_with_a_stray_character_is_warned_naming_it():
    info = sms_info("Hello Rahim, 15% off today – see you!")
    assert info.encoding_note is None
    assert info.encoding_warning == "UCS-2 because of: – — 70 characters per SMS instead of 160."
    assert sms_info("Hi 😀").encoding_warning.startswith("UCS-2 because of: 😀")  # an emoji is no script
    assert sms_info("Hello").length_summary == "5 characters: 1 message (up to 160)"
    assert (sms_info("Hello").encoding_note, sms_info("Hello").encoding_warning) == (None, None)


@given(st.text(alphabet=sorted(GSM7_BASIC), max_size=2000))
def test_plain_gsm_text_needs_ceil_of_153_per_part(text):
    info = sms_info(text)
    expected = 0 if not text else 1 if len(text) <= 160 else -(-len(text) // 153)
    assert (info.encoding, info.segments) == ("gsm7", expected)


@pytest.mark.django_db
def test_the_api_tells_a_marketer_what_a_text_costs(marketer, storefront):
    response = marketer.post("/api/v1/sms/segments", {"text": "Asante — karibu"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["encoding"], body["segments"], body["ucs2_characters"]) == ("ucs2", 1, ["—"])
    assert "70 characters per SMS" in body["warning"]
    bengali = marketer.post("/api/v1/sms/segments", {"text": "আপনার জন্য ১৫% ছাড়"}, format="json").json()
    assert (bengali["warning"], bengali["summary"]) == (None, "19 characters: 1 message (up to 70)")
    assert bengali["note"].startswith("Bengali text is sent as Unicode (UCS-2)")
    assert marketer.post("/api/v1/sms/segments", {"text": "Hi"}, format="json").json()["warning"] is None
    assert marketer.post("/api/v1/sms/segments", {}, format="json").status_code == 400
    assert storefront.post("/api/v1/sms/segments", {"text": "Hi"}, format="json").status_code in (401, 403)
