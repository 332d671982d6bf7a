"""What a study is: its config, the catalog, the registry of variables, objectives and constraints,
the design space, and the vectorized evaluation of a population (F, G and every intermediate)."""
