"""Calibration (标定) from observed counts: ``tsim-calibrate FILE [overrides]``.

A county's records — how many requests, cases, tasks and grid reports each township
received in each period — are turned into the arrival rates of the model:

* :mod:`.observed` reads and checks the CSV file of counts;
* :mod:`.drivers` says which config key sets each source of arrivals and which
  township size (population, villages, grid cells, or none) it scales with;
* :mod:`.rates` estimates the rates the counts identify, with exact Poisson CIs, and
  lists what they cannot identify;
* :mod:`.fit` simulates the calibrated scenario and compares its counts per period with
  the observed ones (the fit check);
* :mod:`.cli` is the Hydra app that writes ``calibration.json``, the calibrated
  workload preset and the fit table and figure.
"""
