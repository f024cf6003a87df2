"""``report.html`` (issue 20, point 3): one self-contained file with the figures inside,
checked in a real headless browser: every figure renders and nothing runs past the page.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image as mpimg
import pytest

from sim.report import html

BROWSER = next(
    (b for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None
)
PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = [...document.images];
  document.body.setAttribute("data-probe", JSON.stringify({
    images: imgs.length,
    rendered: imgs.filter(i => i.complete && i.naturalWidth > 0
                               && i.getBoundingClientRect().width > 0).length,
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth}));
});
</script></body>"""


def test_figures_are_embedded_and_a_missing_one_is_named(tmp_path):
    mpimg.imsave(tmp_path / "a.png", [[0.0, 1.0], [1.0, 0.0]])
    page = html.render(
        "# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![a](a.png)\n\n![b](b.png)\n", tmp_path
    )
    assert 'src="data:image/png;base64,' in page
    assert "a.png" not in re.sub(r'src="data:[^"]+"', "", page)  # nothing to fetch beside it
    assert "Figure missing" in page and "b.png" in page
    assert '<div class="table"><table>' in page


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    from sim.cli.report import main as report_main
    from sim.cli.tsim import main as tsim_main

    where = tmp_path_factory.mktemp("html")
    sweep = where / "sweep"
    args = ["-m", "+validation=mmc", "mmc.servers=4,5,6", "run.horizon_days=15"]
    assert (
        tsim_main([*args, "run.warmup_days=2", "run.replications=2", f"hydra.sweep.dir={sweep}"])
        == 0
    )
    assert report_main([str(sweep), "--out", str(where / "report")]) == 0
    return where / "report"


@pytest.mark.slow
@pytest.mark.skipif(
    BROWSER is None, reason="no chromium: `apt-get install chromium` (.ci/run does)"
)
@pytest.mark.parametrize("width", [800])  # the narrowest page a committee reads on
def test_report_html_renders_in_a_browser_within_the_page(report_dir, tmp_path, width):
    page = (report_dir / "report.html").read_text()
    shown = page.count("<img ")
    assert shown == len(list(report_dir.glob("*.png"))) >= 5
    probe = tmp_path / "probe.html"  # a copy: the report itself carries no script
    probe.write_text(page.replace("</body>", PROBE))
    browser = [
        BROWSER,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--window-size={width},1000",
    ]
    dom = subprocess.run(
        [*browser, "--virtual-time-budget=5000", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    found = re.search(r'data-probe="([^"]+)"', dom)
    assert found, "the page did not finish loading"
    seen = json.loads(found.group(1).replace("&quot;", '"'))
    assert seen["images"] == seen["rendered"] == shown
    assert seen["scroll"] <= seen["width"]  # nothing runs past the page width
    shot = tmp_path / "shot.png"
    subprocess.run([*browser, f"--screenshot={shot}", (report_dir / "report.html").as_uri()],
                   capture_output=True, timeout=120, check=True)  # fmt: skip
    pixels = mpimg.imread(shot)
    assert pixels.shape[1] == width and pixels.std() > 0.05  # drawn, not a blank page
