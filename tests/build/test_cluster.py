"""Builds on a Dask cluster (``build --cluster``): a real scheduler and two workers,
started with the ``dask scheduler`` and ``dask worker`` commands on 127.0.0.1, make what
a local build makes, survive a worker killed mid-build, fail only the article whose task
kills its worker, share one politeness limit between builds, and leave the cluster
running."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, TEST_FIXTURES, build_settings, closed_port, missing, write
from mutagen.mp3 import MP3

import bulletins
from bulletins.build import build
from bulletins.cache import ClipCache, PieceCache
from bulletins.episodes.transcripts import read_webvtt
from bulletins.testing import DaskCluster, FakeGoogle

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
KILLS_ITS_WORKER = "This sentence takes its worker down"  # as dask_faults.py has it


def start_cluster(
    folder: Path,
    workers: int,
    preload: Path,
    env: dict[str, str] | None = None,
    **scheduler_env: str,
) -> DaskCluster:
    """``dask scheduler`` and ``workers`` times ``dask worker``, one process and thread each."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        missing("Dask is not installed: pip install 'bulletins[dask]'")
    return DaskCluster(folder, workers, preload, env, scheduler_env).start()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """Two workers whose tone engine dies on ``KILLS_ITS_WORKER``; a task is given up
    after its second worker dies (allowed-failures 1) to keep the test short."""
    started = start_cluster(
        tmp_path_factory.mktemp("cluster"),
        2,
        HERE / "dask_faults.py",
        DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1",
    )
    yield started
    started.stop()


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample edition (Italian, Arabic) and a second one in English and French."""
    content = tmp_path_factory.mktemp("editions") / "content"
    shutil.copytree(REPO / "content", content)
    for code in ("en", "fr"):
        text = (TEST_FIXTURES / "languages" / f"{code}.txt").read_text(encoding="utf-8")
        write(content / "2026-06-02-second-edition" / f"notice.{code}.txt", text)
    return content


def run_build(*arguments: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / "bulletins"), "build", *map(str, arguments), "--json"]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **env}, timeout=600
    )


def outputs(folder: Path) -> dict[str, Path]:
    """Every file a build wrote, by its path in the output folder (not its record)."""
    return {
        str(p.relative_to(folder)): p
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".bulletins-build.json"
    }


# eSpeak NG carries its pitch flutter from one utterance to the next (a static counter in
# its wave generator), so a clip's length depends on what its process spoke before: two
# local builds of these editions differ by up to 52 ms on the 4-minute Italian bulletin
# (measured), and a build on two workers cannot be nearer than that. The tone engine is
# repeatable, and there the builds must agree to the millisecond.
@pytest.mark.parametrize(("engine", "within_s"), [("tone", 0.001), ("espeak", 0.1)])
def test_a_cluster_build_makes_what_a_local_build_makes(
    cluster: DaskCluster, editions: Path, tmp_path: Path, engine: str, within_s: float
) -> None:
    """Same files, same transcripts, the same durations (to eSpeak NG's own repeatability);
    the summary names the cluster."""
    local = build(build_settings(editions, tmp_path / "local", engine=engine))
    remote = build(
        build_settings(editions, tmp_path / "remote", engine=engine, cluster=cluster.address)
    )
    assert local.ok and remote.ok, (local.errors, remote.errors)
    mine, theirs = outputs(tmp_path / "local" / "audio"), outputs(tmp_path / "remote" / "audio")
    assert sorted(theirs) == sorted(mine)
    assert len(local.episodes) == len(remote.episodes) == 8  # 4 bulletins, 4 article episodes
    for name, path in mine.items():
        if name.endswith(".vtt"):
            cues = [c.text for c in read_webvtt(path.read_text(encoding="utf-8"))]
            assert cues == [c.text for c in read_webvtt(theirs[name].read_text(encoding="utf-8"))]
        if name.endswith(".txt"):
            assert path.read_text(encoding="utf-8") == theirs[name].read_text(encoding="utf-8")
        if name.endswith(".mp3"):
            assert abs(MP3(path).info.length - MP3(theirs[name]).info.length) < within_s, name
    assert remote.cluster is not None and local.cluster is None
    assert remote.cluster.address == cluster.address and remote.cluster.workers == 2
    assert remote.cluster.tasks >= 8 and remote.cluster.retried == 0
    assert remote.synthesis.spoken == local.synthesis.spoken > 0


def test_a_worker_killed_mid_build_is_replaced_and_the_build_completes(
    cluster: DaskCluster, editions: Path, tmp_path: Path
) -> None:
    """SIGKILL of a worker process while it speaks: its nanny restarts it, its tasks run
    again, the build exits 0 with every episode whole, and a rebuild from the same cache
    speaks and encodes nothing."""
    cache = tmp_path / "cache"
    command = [editions, "-o", tmp_path / "audio", "--cache-dir", cache, "-e", "espeak"]
    process = subprocess.Popen(
        [
            str(BIN / "bulletins"),
            "build",
            *map(str, command),
            "--json",
            "--cluster",
            cluster.address,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline and process.poll() is None:
        speaking = {
            worker
            for worker, keys in cluster.client.processing().items()
            if any(str(key).startswith("bulletins-speak_batch") for key in keys)
        }
        if speaking and (cache / "clips").is_dir() and any((cache / "clips").rglob("*.clip")):
            victim = sorted(speaking)[0]
        else:
            time.sleep(0.02)
    assert victim is not None, "the build never had a worker speaking"
    os.kill(cluster.worker_pids()[victim], signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    summary = json.loads(stdout)
    assert summary["ok"] and summary["cluster"]["retried"] >= 1, summary["cluster"]
    assert len(summary["bulletins"]) == 8
    for episode in summary["bulletins"]:
        assert abs(MP3(episode["path"]).info.length - episode["duration_s"]) < 0.1
    assert not [p for p in (tmp_path / "audio").rglob("*") if p.name.endswith(".part")]
    again = run_build(
        editions, "-o", tmp_path / "again", *command[3:], "--cluster", cluster.address
    )
    assert again.returncode == 0, again.stderr
    rebuilt = json.loads(again.stdout)
    assert rebuilt["segments"]["spoken"] == 0
    assert rebuilt["pieces"]["encoded"] == 0
    cluster.client.wait_for_workers(2, timeout=60)  # the cluster still runs, whole


def test_a_task_that_kills_its_worker_fails_its_article_alone(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    """Every worker that runs it dies: its article fails with one error saying so, the
    other article of the same language is built, and the cluster runs on."""
    content = tmp_path / "content" / "2026-06-03-two-notices"
    write(content / "fine.en.txt", "A notice that is read\n\nThe library opens at nine.\n")
    write(
        content / "fatal.en.txt",
        f"A notice that is not\n\nThe pool opens at ten. {KILLS_ITS_WORKER}.\n",
    )
    report = build(build_settings(tmp_path / "content", tmp_path, cluster=cluster.address))
    assert [e.path for e in report.errors] == [content / "fatal.en.txt"]
    assert "died 2 times" in report.errors[0].message
    assert [e.articles[0].path.name for e in report.episodes if e.kind == "article"] == [
        "fine.en.txt"
    ]
    assert report.cluster is not None and report.cluster.retried >= 1
    cluster.client.wait_for_workers(2, timeout=60)


def test_two_builds_on_one_cluster_share_the_online_voices_limit(
    cluster: DaskCluster, tmp_path: Path
) -> None:
    """Two builds at once, each allowed 3 requests in flight, against a fake that refuses
    a fourth: together they never have more than 3 out, and neither loses an article."""
    with FakeGoogle(latency_s=0.15, overload_above=3) as fake:
        common = ["-e", "gtts", "--concurrency", "3", "--max-concurrency", "3"]
        common += ["--cluster", cluster.address, "--no-talking-books"]
        builds = [
            subprocess.Popen(
                [
                    str(BIN / "bulletins"),
                    "build",
                    str(REPO / "content"),
                    "-o",
                    str(tmp_path / f"a{n}"),
                    "--cache-dir",
                    str(tmp_path / f"cache{n}"),
                    "--json",
                    *common,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env={**os.environ, "BULLETINS_GTTS_ENDPOINT": fake.url},
            )
            for n in (1, 2)
        ]
        finished = [b.communicate(timeout=600) for b in builds]
        assert all(b.returncode == 0 for b in builds), [err for _, err in finished]
        summaries = [json.loads(out) for out, _ in finished]
        assert fake.peak_in_flight <= 3
        assert not [r for r in fake.requests if r.status == 429]
    for summary in summaries:
        assert summary["ok"] and len(summary["bulletins"]) == 4
        assert summary["segments"]["spoken"] > 20 and summary["segments"]["failed"] == 0


def test_an_unreachable_scheduler_is_a_configuration_error(tmp_path: Path) -> None:
    """Exit 2, one line naming the address, no traceback, nothing written."""
    pytest.importorskip("distributed")  # without Dask, the error is the missing extra
    address = closed_port().replace("http://", "tcp://")
    started = time.monotonic()
    done = run_build(
        REPO / "content", "-o", tmp_path / "audio", "--cluster", address, BULLETINS_TIMEOUT="3"
    )
    assert done.returncode == 2
    assert f"cannot reach the Dask scheduler at {address} within 3 s" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "audio").rglob("*.mp3"))
    assert time.monotonic() - started < 30


def test_a_worker_with_other_versions_is_refused(tmp_path: Path) -> None:
    """A worker left on another release: the build stops before any work, with one error
    naming the worker and both versions."""
    other = start_cluster(tmp_path / "cluster", 1, HERE / "dask_other_version.py")
    try:
        done = run_build(REPO / "content", "-o", tmp_path / "audio", "--cluster", other.address)
        (worker,) = other.worker_pids()
    finally:
        other.stop()
    assert done.returncode == 2, done.stderr
    assert f"the Dask worker {worker} runs bulletins 0.0.1" in done.stderr
    assert f"this build bulletins {bulletins.__version__}" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "audio").rglob("*.mp3"))


@pytest.fixture
def bucket(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """An S3 bucket on moto's server on loopback, and the settings that reach it."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing("moto's server and boto3 are not installed: pip install 'moto[server]'")
    port = int(closed_port().rsplit(":", 1)[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], **_credentials(env)).create_bucket(
        Bucket="bulletins-cache"
    )
    try:
        yield "s3://bulletins-cache/news", env
    finally:
        server.stop()


def _credentials(env: dict[str, str]) -> dict[str, str]:
    return {
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "region_name": env["AWS_DEFAULT_REGION"],
    }


def test_a_cache_in_s3_serves_fresh_workers_and_remakes_a_truncated_object(
    bucket: tuple[str, dict[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build into an S3 cache; a warm rebuild by a fresh driver on fresh workers
    speaks and encodes nothing; a clip and a piece cut short are made again, whole."""
    import boto3

    url, env = bucket

    def build_on_fresh_cluster(name: str) -> dict[str, Any]:
        cluster = start_cluster(tmp_path / f"cluster-{name}", 2, HERE / "dask_faults.py", env)
        try:
            done = run_build(
                REPO / "content",
                "-o",
                tmp_path / name,
                "--cache-dir",
                url,
                "-e",
                "espeak",
                "--cluster",
                cluster.address,
                **env,
            )
        finally:
            cluster.stop()
        assert done.returncode == 0, done.stderr
        summary: dict[str, Any] = json.loads(done.stdout)
        return summary

    cold = build_on_fresh_cluster("cold")
    assert cold["segments"]["spoken"] > 20 and cold["pieces"]["encoded"] > 0
    warm = build_on_fresh_cluster("warm")
    assert warm["segments"] == {
        **cold["segments"],
        "spoken": 0,
        "cached": cold["segments"]["spoken"],
    }
    assert warm["pieces"]["encoded"] == 0
    assert [e["duration_s"] for e in warm["bulletins"]] == [
        e["duration_s"] for e in cold["bulletins"]
    ]

    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"], **_credentials(env))
    listed = s3.list_objects_v2(Bucket="bulletins-cache", Prefix="news/")["Contents"]
    sizes = {o["Key"]: o["Size"] for o in listed}
    clip = next(k for k in sorted(sizes) if k.endswith(".clip"))
    piece = next(k for k in sorted(sizes) if k.endswith(".piece"))
    for key in (clip, piece):
        whole = s3.get_object(Bucket="bulletins-cache", Key=key)["Body"].read()
        s3.put_object(Bucket="bulletins-cache", Key=key, Body=whole[: len(whole) // 2])
    again = build_on_fresh_cluster("again")
    assert again["segments"]["spoken"] == 1 and again["pieces"]["encoded"] >= 1
    # Whole again, as the cache reads them (a re-spoken clip need not be the same length:
    # eSpeak NG is not bit-for-bit repeatable).
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert ClipCache(url).get(Path(clip).stem) is not None
    assert PieceCache(url).get(Path(piece).stem) is not None
    assert s3.head_object(Bucket="bulletins-cache", Key=clip)["ContentLength"] > sizes[clip] // 2


def test_a_build_without_a_cluster_does_not_load_dask(tmp_path: Path) -> None:
    """The local pool stays the default: a whole build, in a process of its own, never
    imports dask."""
    script = (
        "import sys; from pathlib import Path; from bulletins.build import build; "
        "from bulletins.settings import Settings; "
        f"report = build(Settings(content_dir=Path({str(REPO / 'content')!r}), "
        f"out_dir=Path({str(tmp_path / 'audio')!r}), cache_dir=Path({str(tmp_path / 'cache')!r}), "
        "engine='tone', workers=2)); "
        "print(report.ok, sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "[]"]


def test_a_bucket_out_of_reach_is_a_configuration_error(tmp_path: Path) -> None:
    """An S3 cache whose endpoint answers nothing: exit 2, one line naming the bucket, no
    traceback, nothing written."""
    pytest.importorskip("s3fs")
    env = {
        "AWS_ENDPOINT_URL": closed_port(),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "1",
    }
    done = run_build(
        REPO / "content",
        "-o",
        tmp_path / "audio",
        "--cache-dir",
        "s3://nowhere/cache",
        "-e",
        "tone",
        **env,
    )
    assert done.returncode == 2, done.stderr
    assert "the cache at s3://nowhere/cache:" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "audio").rglob("*.mp3"))


def test_a_cluster_with_no_cache_is_refused(tmp_path: Path) -> None:
    """Workers on other machines cannot write into this machine's temporary folder."""
    done = run_build(
        REPO / "content", "-o", tmp_path / "audio", "--no-cache", "--cluster", "tcp://10.0.0.5:8786"
    )
    assert done.returncode == 2
    assert "rather than --no-cache" in done.stderr and "Traceback" not in done.stderr
