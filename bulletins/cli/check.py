"""``bulletins check``: proof-listen the episodes in an output folder."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from bulletins.cli.common import (
    AsJsonOption,
    CacheDirOption,
    ConfigOption,
    OutOption,
    _err,
    _fail,
    _out,
    _settings,
)
from bulletins.errors import BulletinsError

WhisperModelOption = Annotated[
    Path | None,
    typer.Option(
        "--whisper-model",
        help="A Whisper model folder for faster-whisper. [default: Whisper base, from the check extra]",
        show_default=False,
    ),
]
FailuresOption = Annotated[
    str | None,
    typer.Option(
        "--failures",
        help="error: a failed episode exits 1; warn: it is reported only. [default: error]",
        show_default=False,
    ),
]


def episodes_in(out_dir: Path) -> list[Path]:
    """Every episode in an output folder: each bulletin and each article's own."""
    return sorted([*out_dir.glob("*/*.mp3"), *out_dir.glob("*/articles/*.mp3")])


def check_command(
    out_dir: OutOption = None,
    whisper_model: WhisperModelOption = None,
    failures: FailuresOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    as_json: AsJsonOption = False,
) -> None:
    """Proof-listen every episode in the output folder with an offline recogniser.

    Says, per episode, the language the recogniser hears and, where it is reliable for
    the language, its word and character error rates against the spoken script and the
    sentences it could not follow. An episode heard as another language, or mostly
    unintelligible, fails. An episode heard before and unchanged since is not heard
    again. Needs pip install 'bulletins[check]'.
    """
    from bulletins.cache import local_folder
    from bulletins.proof import listen

    settings = _settings(
        config,
        out_dir=out_dir,
        whisper_model=whisper_model,
        check_failures=failures,
        cache_dir=cache_dir,
    )
    paths = episodes_in(settings.out_dir)
    if not paths:
        raise _fail(BulletinsError(f"{settings.out_dir}: holds no episodes to check"), 2)
    try:
        hearings = listen(
            paths,
            settings.out_dir,
            settings.whisper_model,
            local_folder(settings.cache_dir),
        )
    except BulletinsError as exc:
        raise _fail(exc, 2) from exc
    failed = [h for h in hearings if not h.ok]
    if as_json:
        print(json.dumps([asdict(h) for h in hearings], ensure_ascii=False, indent=2))
    else:
        out, err = _out(), _err()
        for hearing in hearings:
            scores = (
                f", word error rate {hearing.wer:.2f}, character error rate {hearing.cer:.2f}"
                if hearing.wer is not None and hearing.cer is not None
                else ", error rates not measured (the recogniser is not reliable in this language)"
            )
            heard = (
                f"heard {hearing.heard} ({hearing.probability:.2f})"
                if hearing.heard
                else "not heard (the recogniser does not know this language)"
            )
            out.print(f"{hearing.path}: {heard}{scores}", highlight=False, markup=False)
            for sentence in hearing.unfollowed:
                out.print(f"    not followed: {sentence}", highlight=False, markup=False)
        kind = "error" if settings.check_failures == "error" else "warning"
        for hearing in failed:
            colour = "red" if kind == "error" else "yellow"
            err.print(
                f"[{colour}]{kind}:[/{colour}] {hearing.path}: {hearing.problem}", highlight=False
            )
    if failed and settings.check_failures == "error":
        raise typer.Exit(1)
