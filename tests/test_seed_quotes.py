"""Quotes and numbers credited to the seed documents are in them (issue 9 points 6, 8).

Every Chinese phrase that ``docs/PARAMETERS.md`` sets after a seed's file name (up to the
next file name) must occur in that seed, and every number the sources credit to a seed
(:data:`CREDITED_NUMBERS`) must be in it. The seeds are not part of the repository: the
test looks in ``../shared/seeds`` next to the repository (where CI has them) or in
``$TSIM_SEEDS``, and is skipped when neither exists.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sim.config import parameters
from sim.core import sources

ROOT = Path(__file__).resolve().parent.parent
FOLDER = Path(os.environ.get("TSIM_SEEDS", ROOT.parent / "shared" / "seeds"))
FILE = re.compile(r"\b(\d{3}_[0-9a-f]{16}\.txt)")
CJK = re.compile(r"[\u4e00-\u9fff]")
# A quoted phrase: Chinese characters, with the digits, dashes and Chinese punctuation
# between them; "…" and "/" separate two phrases quoted from one sentence.
PHRASE = re.compile(r"[\u4e00-\u9fff0-9\-–、，“”《》〈〉]+")

pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason=f"no seed folder at {FOLDER}")


def _plain(text: str) -> str:
    """Only characters and digits: quotes are compared ignoring spaces, line breaks and
    punctuation (the seeds mix half- and full-width forms).
    """
    return "".join(ch for ch in text if ch.isalnum())


def _seed(name: str) -> str:
    return _plain((FOLDER / name).read_text(encoding="utf-8"))


def quotes(doc: str) -> list[tuple[str, str]]:
    """(seed file, phrase) for every Chinese phrase set after a seed's file name."""
    out = []
    for line in doc.splitlines():
        parts = FILE.split(line)
        for name, text in zip(parts[1::2], parts[2::2], strict=True):
            for run in PHRASE.findall(text):
                if CJK.search(run):
                    out.append((name, run))
    return out


def test_the_doc_quotes_the_seeds():
    found = quotes(parameters.DOC.read_text(encoding="utf-8"))
    assert len(found) > 20
    missing = [(n, q) for n, q in found if _plain(q) not in _seed(n)]
    assert missing == []


CREDITED_NUMBERS = [
    (sources.S001, ["其余6个乡", "不超过2名", "不得超过3个月"]),
    (sources.S003, ["不低于25%", "优秀比例提高到20%", "25%—35%", "同职级人员20%"]),
    (
        sources.S004,
        [
            *("派驻人员232名", "执法人员197名", "分管领导7名", "原39名"),
            *("4-5名", "16个一线窗口", "18处乡镇", "各选派2名左右"),
            *("均增至70名", "等工作人员61名", "农村社区服务中心26处"),
        ],
    ),
]
"""Numbers the parameter sources and presets take from a seed, as written there (with
the words around them, so that a bare "2" cannot pass by chance)."""


@pytest.mark.parametrize(("source", "numbers"), CREDITED_NUMBERS)
def test_numbers_credited_to_a_seed_are_in_it(source, numbers):
    name = FILE.search(source)
    assert name is not None
    text = (FOLDER / name.group(1)).read_text(encoding="utf-8")
    assert [n for n in numbers if n not in text] == []


def test_a_misquote_is_caught():
    doc = f"| `k` | `1` | staff | {sources.S000}: 两名以上执法人员 |"
    (name, phrase), *_ = quotes(doc)
    assert _plain(phrase) not in _seed(name)
