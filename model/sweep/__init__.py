"""Parameter sweeps: many seeded runs of the model over a design, on a local pool or Dask.

- :mod:`~iron_river.sweep.spec`: sweep files (``scenarios/sweeps/*.toml``), validated early;
- :mod:`~iron_river.sweep.design`: design points, run ids and seeds, batches, shards;
- :mod:`~iron_river.sweep.worker`: a batch of runs on a worker, failures recorded;
- :mod:`~iron_river.sweep.engine`: local process pool, Dask, dask-jobqueue;
- :mod:`~iron_river.sweep.store`: Parquet per batch, manifest, resume, collect;
- :mod:`~iron_river.sweep.report`: response curves, heat maps, elasticity with bootstrap CIs;
- :mod:`~iron_river.sweep.cli`: ``iron-river sweep``;
- :mod:`~iron_river.sweep.adapter`: the only module that touches the model.

The model never imports this package.
"""
