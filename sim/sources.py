"""Short names of the seed documents that parameter sources cite."""

S000 = "seed 000_ab7ad193447c3a7a.txt (national instruction)"
S001 = "seed 001_36741be809c14481.txt (Wuchuan plan)"
S002 = "seed 002_de73373b8a953011.txt (Huzhou drafts)"
S003 = "seed 003_ddc45a0b9ab9f416.txt (Pingluo task list)"
S004 = "seed 004_7473e19fb949cabc.txt (reports)"
A = "assumption: "
