"""The search: NSGA-II on whole arrays, its checkpoint, Dask scale-out and the compromise choices."""
