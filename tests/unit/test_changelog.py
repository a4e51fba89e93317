"""oshs.changelog: the text of CHANGELOG.md entries (the entries of replayed releases are
tested with `oshs.release` in test_release.py)."""

from __future__ import annotations

from oshs.changelog import merged_note, prepend_entry


def test_prepend_entry():
    text = prepend_entry("", "## 1.0.0 (d)\n\nx\n\n")
    assert text.startswith("# Changelog\n\n") and text.endswith("## 1.0.0 (d)\n\nx\n")
    assert prepend_entry(text, "## 1.1.0 (e)\n\ny\n\n").endswith(
        "## 1.1.0 (e)\n\ny\n\n## 1.0.0 (d)\n\nx\n"
    )


def test_an_entry_of_an_older_day_says_it_was_merged_below_its_heading():
    entry = "## 1.2.0 (2025-10-07)\n\nBody.\n\n"
    assert merged_note(entry, "2025-10-07", "2025-10-07") == entry
    assert merged_note(entry, "2025-10-05", "2025-10-07") == (
        "## 1.2.0 (2025-10-07)\n\nMerged the observation of 2025-10-05, which reached the "
        "package after a newer one, into the history (in date order).\n\nBody.\n\n"
    )
