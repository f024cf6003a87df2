"""Peak memory is one replication's, however many replications a run has."""

from __future__ import annotations

import subprocess
import sys
import weakref

import pytest

from sim.run import engine

from .conftest import scenario


def test_each_model_is_freed_before_the_next_is_built(monkeypatch):
    built = []
    alive_at_build = []
    real_build = engine.build

    def tracking_build(s, k):
        alive_at_build.append(sum(ref() is not None for ref in built))
        model = real_build(s, k)
        built.append(weakref.ref(model))
        return model

    monkeypatch.setattr(engine, "build", tracking_build)
    engine.run(
        scenario("county=single", "run.replications=3", "run.horizon_days=5", "run.warmup_days=1")
    )
    assert alive_at_build == [0, 0, 0]
    assert all(ref() is None for ref in built)


def start_probe(replications: int, tmp_path) -> subprocess.Popen[str]:
    """A ``tsim`` process (the probe's own child, so the peak read back is its)."""
    probe = (
        "import resource, subprocess, sys; "
        "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    # scipy.stats loads with the first confidence interval, which one replication never
    # computes: load it in both, so that the peaks differ only by the models they hold.
    tsim = "import runpy, scipy.stats; runpy.run_module('sim', run_name='__main__')"
    cmd = [sys.executable, "-c", tsim, "county=wuchuan", f"run.replications={replications}"]
    cmd.append(f"hydra.run.dir={tmp_path / f'reps{replications}'}")
    return subprocess.Popen(
        [sys.executable, "-c", probe, *cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def peak_rss_mb(probe: subprocess.Popen[str]) -> float:
    """Peak resident memory of the probe's ``tsim`` process."""
    out, err = probe.communicate(timeout=600)
    assert probe.returncode == 0, err
    return int(out.split()[-1]) / 1024


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in kB on Linux")
def test_peak_memory_does_not_grow_with_replications(tmp_path):
    # Both at once: each process's own peak is read, and the second core is used.
    probes = start_probe(1, tmp_path), start_probe(3, tmp_path)
    one, three = (peak_rss_mb(p) for p in probes)
    # Before the fix the second model coexisted with the first: about 2x.
    assert three < 1.1 * one, (one, three)
