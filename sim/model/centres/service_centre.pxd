# Compiled by setup.py (sim/core/compiled.py): this module makes or moves work items
# often enough that running it as C is worth it; it declares no C types.
