import os
import socket

import pytest

from tools import pg_cluster

pytestmark = pytest.mark.skipif(
    pg_cluster.find_pg_bin() is None, reason="PostgreSQL is not installed (./kk test installs it)"
)


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_start_gives_a_reachable_cluster_and_stop_removes_it():
    cluster = pg_cluster.start(owner_pid=os.getpid())
    try:
        assert cluster.url == f"postgresql+psycopg://postgres@127.0.0.1:{cluster.port}/postgres"
        assert _accepts(cluster.port)
        assert (cluster.dir / "sock").is_dir()
    finally:
        pg_cluster.stop(cluster.dir)
    assert not cluster.dir.exists()
    assert not _accepts(cluster.port)


def test_reap_stops_clusters_of_dead_owners():
    cluster = pg_cluster.start(owner_pid=2**22 + 12345)  # no such pid
    try:
        assert cluster.dir in pg_cluster.reap()
        assert not cluster.dir.exists()
    finally:
        if cluster.dir.exists():
            pg_cluster.stop(cluster.dir)


def test_stop_refuses_a_directory_it_did_not_make(tmp_path):
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(pg_cluster.PgError):
        pg_cluster.stop(tmp_path)
    assert (tmp_path / "keep.txt").exists()
