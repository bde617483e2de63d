"""What the terminal shows for each Block Kit element our renderers use."""

from __future__ import annotations

from bot.render import Message, render_gate
from bot.render.common import (
    actions,
    button,
    context,
    divider,
    esc,
    fields_section,
    header,
    section,
)
from bot.shell.render import Choice, mrkdwn_to_text, render_text, render_text_with_choices
from tests.blocks import fixtures as fx


def _show(*blocks: dict[str, object], width: int = 60) -> str:
    return render_text(Message(text="fallback", blocks=list(blocks)), width=width)


def test_header_is_underlined_in_plain_text() -> None:
    assert _show(header("Gate: checkout")) == "Gate: checkout\n══════════════\n"


def test_header_is_bold_and_underlined_in_colour() -> None:
    shown = render_text(Message("f", [header("Gate")]), color=True)
    assert "\x1b[1;4mGate" in shown
    assert "═" not in shown


def test_section_mrkdwn_is_converted() -> None:
    text = "*bold* and _it_ and ~gone~ and `code` and <https://x.example/a|the label>"
    assert _show(section(text), width=100) == (
        "bold and it and gone and code and the label (https://x.example/a)\n"
    )


def test_entities_are_unescaped_and_escaped_data_shows_literally() -> None:
    data = esc("<!channel> & *stars* `ticks`")
    assert _show(section(data)) == "<!channel> & *stars* `ticks`\n"


def test_links_mentions_and_dates() -> None:
    text = "<https://a.example> <@U1|alice> <#C1|ops> <!here> <!date^1700000000^{date}|2023-11-14>"
    assert mrkdwn_to_text(text).plain == "https://a.example @alice #ops @here 2023-11-14"


def test_fields_are_shown_as_two_columns() -> None:
    shown = _show(*fields_section([("Status", "on"), ("Type", "TEMP"), ("Owner", "Al")]))
    lines = shown.splitlines()
    assert lines[0].split() == ["Status", "Type"]
    assert lines[1].split() == ["on", "TEMP"]
    assert lines[0].index("Type") == lines[1].index("TEMP")  # aligned columns
    assert lines[2:] == ["Owner", "Al"]


def test_context_lines_are_joined_and_dimmed_in_colour() -> None:
    block = context(["one", "<https://c.example|link>"])
    assert _show(block) == "one · link (https://c.example)\n"
    coloured = render_text(Message("f", [block]), color=True)
    assert "\x1b[2m" in coloured


def test_divider_is_a_rule_across_the_width() -> None:
    assert _show(divider(), width=30) == "─" * 30 + "\n"


def test_buttons_become_numbered_choices() -> None:
    block = actions(
        [button("Share in channel", "share_in_channel", "gate:g"), button("Next", "next", "2")]
    )
    text, choices = render_text_with_choices(Message("f", [block]), first_choice=3)
    assert text == "[3] Share in channel   [4] Next\n"
    assert choices == [
        Choice(3, "Share in channel", "share_in_channel", "gate:g"),
        Choice(4, "Next", "next", "2"),
    ]


def test_section_accessory_button_is_a_choice_too() -> None:
    block = {**section("Pick me"), "accessory": button("Go", "go", "v")}
    text, choices = render_text_with_choices({"text": "f", "blocks": [block]})
    assert text == "Pick me\n[1] Go\n"
    assert choices[0].action_id == "go"


def test_message_without_blocks_shows_its_fallback() -> None:
    assert render_text({"text": "*Done* &amp; dusted"}) == "Done & dusted\n"


def test_unknown_blocks_are_skipped_and_images_named() -> None:
    blocks = [{"type": "mystery"}, {"type": "image", "alt_text": "chart", "image_url": "x"}]
    assert render_text({"text": "f", "blocks": blocks}) == "[image: chart]\n"


def test_plain_output_has_no_escape_codes_and_respects_width() -> None:
    text, choices = render_text_with_choices(render_gate(fx.full_gate()), width=72)
    assert "\x1b" not in text
    assert max(len(line) for line in text.splitlines()) <= 72
    assert "Gate: Checkout v2" in text
    assert "1. Employees — 100% pass · production, staging" in text
    assert "email str_contains_any @example.com, @corp.com" in text
    assert "Bob, 2024-05-01 12:30 UTC" in text
    assert "Open in Statsig (https://console.statsig.com/gates/checkout_v2)" in text
    assert choices == [Choice(1, "Share in channel", "share_in_channel", "gate:checkout_v2")]
