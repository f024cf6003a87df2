"""``report.html``: the study report as one self-contained file a planner can mail.

The same text as ``report.md`` (conclusion, tables, the STRESS-DES sections), with every
figure embedded as a data URI, so the file opens anywhere without its directory. Wide
tables scroll inside their own box and figures shrink to the page, so nothing runs past
the page width; printing keeps each figure on one page.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC",
       sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1.25rem;
       line-height: 1.5; color: #1b1b1b; }
h1, h2, h3 { line-height: 1.25; }
h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
.table { overflow-x: auto; margin: 1rem 0; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
td { font-variant-numeric: tabular-nums; }
code { background: #f4f4f4; padding: 0 .2rem; border-radius: 3px; overflow-wrap: anywhere; }
img { max-width: 100%; height: auto; display: block; margin: 1rem 0;
      break-inside: avoid; }
figure { margin: 1.5rem 0; }
figcaption { color: #555; font-size: .85rem; }
@media print { body { max-width: none; margin: 0; } h2 { break-after: avoid; } }
"""

IMAGE = re.compile(r'<img alt="([^"]*)" src="([^"]+)" ?/?>')


def render(markdown_text: str, out: Path, title: str = "Study report") -> str:
    """``report.md``'s text as a self-contained HTML page; image paths are relative to
    ``out`` (a missing figure is named in the page, not silently dropped).
    """
    import markdown  # only here: the report's one user of it

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code", "sane_lists"])
    body = body.replace("<table>", '<div class="table"><table>').replace(
        "</table>", "</table></div>"
    )
    body = IMAGE.sub(lambda m: _figure(m.group(1), out / m.group(2)), body)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _figure(alt: str, path: Path) -> str:
    if not path.is_file():
        return f"<p><strong>Figure missing:</strong> {html.escape(str(path))}</p>"
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    name = html.escape(alt)
    return (
        f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
        f"<figcaption>{name}</figcaption></figure>"
    )
