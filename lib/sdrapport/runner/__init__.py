"""Layer 5, the runner: executes the notebooks with papermill (one report, or a batch in warm kernels,
optionally on Dask) and records each report in run.json."""
