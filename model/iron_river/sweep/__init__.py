"""Parameter sweeps: many seeded runs of the model over a design, on a local pool or Dask.

- :mod:`~iron_river.sweep.spec`: sweep files (``scenarios/sweeps/*.toml``), validated early;
- :mod:`~iron_river.sweep.design`: design points, run ids and seeds, batches, shards;
- :mod:`~iron_river.sweep.engine`: a plan's batches run on a backend and written as they finish;
- :mod:`~iron_river.sweep.store`: Parquet per batch, manifest, resume, collect;
- :mod:`~iron_river.sweep.report`: response curves, heat maps, elasticity with bootstrap CIs;
- :mod:`~iron_river.sweep.cli`: ``iron-river sweep``;

Where runs execute (local pool, Dask, dask-jobqueue) and what a worker does are shared with the
other experiments: :mod:`iron_river.experiments.backends`, :mod:`iron_river.experiments.worker`;
:mod:`iron_river.experiments.binding` is the only module that touches the model. Nothing in the
model, the experiments or the view imports this package.
"""
