"""Experiments: replicates, paired designs, comparisons, reports, sensitivity, calibration.

:mod:`.seeds` and :mod:`.runs` (seeded replicates), :mod:`.backends` and :mod:`.worker` (where
runs execute: this process, a local pool, Dask, a batch system), :mod:`.binding` (the one
point of contact between that machinery and the model), :mod:`.design` (paired designs and
their statistics, shared by everything below), :mod:`.compare`, :mod:`.report`,
:mod:`.sensitivity`, :mod:`.calibration`.
"""
