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


def _article(name: str, title: str) -> str:
    """One report of a seed that reposts several: from the first occurrence of its title,
    past the repost mark "(转)" that ends it, to the next one (which ends the next title).
    """
    text = (FOLDER / name).read_text(encoding="utf-8")
    start = text.index(title)
    return text[start : text.index("(转)", text.index("(转)", start) + 3)]


def _part(name: str, heading: str, next_heading: str) -> str:
    """One numbered part of a seed: from its heading to the next one."""
    text = (FOLDER / name).read_text(encoding="utf-8")
    start = text.index(heading)
    return text[start : text.index(next_heading, start)]


def _seed_file(source: str) -> str:
    found = FILE.search(source)
    assert found is not None
    return found.group(1)


TENGZHOU, YANTAI = "枣庄市滕州市扎实开展", "烟台开发区用好"


def test_claims_are_credited_to_the_right_place_in_the_seed():
    # Issue 18 item 6: each phrase below was once credited to the wrong place.
    s000, s001, s003, s004 = map(
        _seed_file, (sources.S000, sources.S001, sources.S003, sources.S004)
    )
    tengzhou, yantai = _article(s004, TENGZHOU), _article(s004, YANTAI)
    assert "随时听候镇街吹哨" in tengzhou and "即时报到" not in tengzhou
    assert "即时报到" in yantai
    # Tengzhou's x: about 2 from each of four departments, about 8 per township.
    assert (
        "公安(交巡警)、市场监管、应急管理(安全生产、消防)、自然资源等执法部门,各选派2名左右"
        in tengzhou
    )
    assert "人随事转" in _part(s000, "四、", "五、")
    assert "人随事转" not in _part(s000, "五、", "地方各级党委")
    plan_part_4 = _part(s001, "四、工作要求", "先立后破")
    assert "本次乡镇改革从2019年11月中旬开始到2020年6月底结束" in plan_part_4
    assert "新录用公务员在服务期限内不得" in _seed(s001)
    assert "两网合一" in _seed(s003) and "三网合一" not in _seed(s003)
    # The +25% is on the township's whole quota (编制总量), not on a few offices' posts.
    assert "乡镇人员编制总量增幅较改革前不低于25%" in (FOLDER / s003).read_text(encoding="utf-8")


def test_the_docs_credit_the_fixed_claims_to_the_right_seed():
    doc = parameters.DOC.read_text(encoding="utf-8")
    whistle = next(line for line in doc.splitlines() if "whistle_limit_days" in line)
    assert "Yantai" in whistle and "即时报到" in whistle
    admission = next(line for line in doc.splitlines() if "`policy.admission.enabled`" in line)
    assert "人随事转 (§4)" in admission
    # Seed 001 names Wuchuan's offices, not how many staff its teams have.
    teams = [line for line in doc.splitlines() if ".staff.enforcement_officers.headcount" in line]
    assert teams and not any(_seed_file(sources.S001) in line for line in teams)
