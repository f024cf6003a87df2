"""The township's work centres: each wires its arrival sources and routes into a model."""
