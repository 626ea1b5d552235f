"""SVOX Pico: offline, and clearer than eSpeak NG in the six languages it has, through
``pico2wave`` (Debian's and Ubuntu's libttspico-utils)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from functools import cache
from pathlib import Path
from typing import ClassVar

from bulletins.errors import EngineUnavailable, SynthesisError
from bulletins.model import Audio
from bulletins.profiles.profile import Profile
from bulletins.speech.engines.base import EngineOptions, VoiceInfo

VOICES = ("de-DE", "en-GB", "en-US", "es-ES", "fr-FR", "it-IT")
"""The voices pico2wave has, by the language code it takes."""
INSTALL = (
    "pico2wave is not installed; on Debian, enable the non-free component and run "
    "'apt install libttspico-utils' (on Ubuntu it is in multiverse)"
)
_TIMEOUT_S = 120


@cache
def _program() -> str | None:
    return shutil.which("pico2wave")


@cache
def _version() -> str:
    """The installed Pico's version: the Debian package's, else the program's size and date."""
    program = _program()
    if program is None:
        return "none"
    try:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "libttspico0"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        result = None
    if result is not None and result.returncode == 0 and result.stdout.strip():
        return result.stdout.strip()
    stat = Path(program).stat()
    return f"{stat.st_size}-{int(stat.st_mtime)}"


def _read_wav(path: Path) -> Audio:
    with wave.open(str(path), "rb") as clip:
        if clip.getsampwidth() != 2 or clip.getnchannels() != 1:
            raise SynthesisError(f"pico2wave wrote audio bulletins does not expect: {path.name}")
        return Audio(pcm=clip.readframes(clip.getnframes()), sample_rate=clip.getframerate())


class PicoEngine:
    """SVOX Pico through pico2wave: a process per clip, each clip brought to the profile's rate."""

    name: ClassVar[str] = "pico"
    max_chars: ClassVar[int] = 600
    offline: ClassVar[bool] = True

    def __init__(self, options: EngineOptions | None = None) -> None:
        self._options = options  # Pico needs none: it is a program on this machine

    def version(self) -> str:
        return f"pico2wave {_version()}"

    def speaks(self, profile: Profile) -> bool:
        return profile.pico_voice in VOICES and _program() is not None

    def voice_key(self, profile: Profile) -> str:
        return f"{profile.pico_voice}|{profile.rate_for(self.name)}"

    def describe(self, profile: Profile) -> str:
        return f"SVOX Pico {_version()}, voice {profile.pico_voice}"

    def check(self) -> None:
        if _program() is None:
            raise EngineUnavailable(INSTALL)

    def synthesize(self, text: str, profile: Profile) -> Audio:
        program = _program()
        if program is None:
            raise SynthesisError(INSTALL)
        if profile.pico_voice not in VOICES:
            raise SynthesisError(
                f"the {profile.english_name} profile names no Pico voice (Pico has {', '.join(VOICES)})"
            )
        # Pico reads angle brackets as its own markup.
        said = text.replace("<", " ").replace(">", " ")
        with tempfile.TemporaryDirectory(prefix="bulletins-pico-") as folder:
            path = Path(folder) / "clip.wav"
            command = [program, "-l", profile.pico_voice, "-w", str(path), "--", said]
            try:
                result = subprocess.run(
                    command, capture_output=True, timeout=_TIMEOUT_S, check=False
                )
            except subprocess.TimeoutExpired as exc:
                raise SynthesisError(f"pico2wave took over {_TIMEOUT_S} s on: {text[:60]}") from exc
            except OSError as exc:
                raise SynthesisError(f"pico2wave could not be run: {exc}") from exc
            # pico2wave answers 0 when it could not write its file, so the file is the proof.
            if result.returncode != 0 or not path.is_file():
                reason = result.stderr.decode(errors="replace").strip().splitlines()[:1]
                raise SynthesisError(
                    f"pico2wave failed (status {result.returncode}{': ' + reason[0] if reason else ''}) on: {text[:60]}"
                )
            audio = _read_wav(path)
        from bulletins.audio.mixing import fit_rate

        # Pico has no rate setting: its tempo is changed, not its pitch, as Google's is.
        return fit_rate(audio, len(text.split()), profile.rate_for(self.name))

    def voices(self) -> list[VoiceInfo]:
        if _program() is None:
            return []
        return [
            VoiceInfo(self.name, voice.split("-")[0], voice, f"SVOX Pico {voice}")
            for voice in VOICES
        ]
