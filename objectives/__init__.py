"""Physics objectives of ssemo: pure, vectorized numpy functions of the review's formulas.

One module per physical topic. Every function takes arrays (or scalars) and broadcasts; none does
I/O, reads configs or knows about the optimizer. Units are in every name and docstring.

Source review: "Ultra-thin solid-state electrolyte membranes" (shared/seed/ultrathin-sse-review.txt),
cited below as "review". Refinements follow shared/literature/physics_parameters.md ("physics notes").

Every docstring states its arguments' domain (thickness > 0, relative density in (0, 1], T > 0 K, ...);
a value outside it, or an unknown option name, raises objectives.errors.DomainError (a ValueError).
NaN means "unknown" and propagates (objectives.domain).
"""
