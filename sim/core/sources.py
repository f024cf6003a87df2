"""The seed documents that parameter sources cite: file, title and issuer.

A reader without the seed folder (``shared/seeds/``, not part of the repository) still
learns what each source is: ``docs/PARAMETERS.md`` opens with :data:`SEEDS`, and each
row cites a seed by a short English name and its file name (``S000`` … ``S004``). A
Chinese phrase after a file name is a quote from that file (a test checks it against
the seeds when they are present).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seed:
    """One source document."""

    file: str
    short: str
    """Short English name used in the rows."""
    title: str
    """Its title as printed in the document (Chinese), or what it is."""
    issuer: str

    @property
    def cite(self) -> str:
        """How a row cites it: the short name and the file name."""
        return f"{self.short} ({self.file})"


SEEDS = (
    Seed(
        "000_ab7ad193447c3a7a.txt",
        "national implementing opinion",
        "关于推进基层整合审批服务执法力量的实施意见 (implementing opinion on integrating "
        "grassroots approval, service and enforcement forces, 2019)",
        "General Offices of the CPC Central Committee and the State Council "
        "(document no. 5 of 2019, as cited by Wuchuan's plan)",
    ),
    Seed(
        "001_36741be809c14481.txt",
        "Wuchuan county plan",
        "武川县深化乡镇改革推进基层整合审批服务执法力量实施方案 (Wuchuan county's plan "
        "for township reform)",
        "Wuchuan county (Inner Mongolia)",
    ),
    Seed(
        "002_de73373b8a953011.txt",
        "Huzhou drafts",
        "深化乡镇政府服务能力建设的实施意见 and 深化街道体制改革完善城市基层治理体系的实施意见 "
        "(drafts for public comment on township service capacity and street reform, 2018)",
        "Huzhou city organisation office (湖州市机构编制委员会办公室)",
    ),
    Seed(
        "003_ddc45a0b9ab9f416.txt",
        "Pingluo county task list",
        "平罗县推进基层整合审批服务执法力量改革工作任务清单 (Pingluo county's task list for "
        "the reform)",
        "Pingluo county (Ningxia)",
    ),
    Seed(
        "004_7473e19fb949cabc.txt",
        "collected reports",
        "reports of 2019 on how the reform went, reposted in one forum thread (Tengzhou, "
        "Yishui, Huimin, Laizhou, Shouguang, Zhengzhou …)",
        "various: 半月谈, 齐鲁网, county organisation offices (编办)",
    ),
)

S000, S001, S002, S003, S004 = (seed.cite for seed in SEEDS)
A = "assumption: "
