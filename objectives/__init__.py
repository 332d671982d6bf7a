"""Physics objectives of ssemo: pure, vectorized numpy functions of the review's formulas.

One module per physical topic. Every function takes arrays (or scalars) and broadcasts; none does
I/O, reads configs or knows about the optimizer. Units are in every name and docstring.

Source review: "Ultra-thin solid-state electrolyte membranes" (shared/seed/ultrathin-sse-review.txt),
cited below as "review". Refinements follow shared/literature/physics_parameters.md ("physics notes").
"""
