"""The Dask engine schedules the same per-file function: its output equals the local one."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_scale import FILES, raw_corpus, reference, same_tree  # noqa: F401 (fixtures)

import newscorpus

distributed = pytest.importorskip(
    "distributed", reason="Dask is not installed: pip install 'newscorpus[dask]'"
)


def test_dask_local_cluster_output_equals_the_local_build(
    raw_corpus: Path,  # noqa: F811 (the fixture imported above)
    reference: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        result = newscorpus.build(
            raw_corpus,
            tmp_path / "dask",
            engine="dask",
            scheduler=cluster.scheduler_address,
            use_cache=False,
        )
    assert result.processed == FILES
    assert same_tree(reference, tmp_path / "dask") == []


def test_unknown_engine_is_refused(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "sources.toml").write_text(
        '[sources.a]\nname="A"\nlanguage="en"\nprofile="x"\nlicence=""\n'
    )
    with pytest.raises(newscorpus.BuildError, match="unknown engine"):
        newscorpus.build(raw, tmp_path / "x", engine="spark")
