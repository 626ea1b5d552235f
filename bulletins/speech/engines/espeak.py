"""The offline engine: eSpeak NG, loaded from the espeakng-loader wheel through ctypes."""

from __future__ import annotations

import ctypes
import threading
from typing import ClassVar

import espeakng_loader

from bulletins.errors import EngineUnavailable, SynthesisError
from bulletins.model import Audio
from bulletins.profiles.profile import Profile
from bulletins.speech.engines.base import EngineOptions, VoiceInfo
from bulletins.text import arabic

# Values from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_PARAM_RATE = 1
_EE_OK = 0
_PHONEMES_IPA = 0x02

_Callback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)

# eSpeak NG keeps its state in C globals and crashes when two threads enter it, so
# every call in this process goes through this lock. Parallel synthesis uses processes.
_LOCK = threading.Lock()


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


class _Library:
    """The process's one initialised eSpeak NG; use only while holding ``_LOCK``."""

    def __init__(self) -> None:
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data_path = espeakng_loader.get_data_path()
        except (OSError, RuntimeError) as exc:
            raise EngineUnavailable(
                f"eSpeak NG cannot be loaded: {exc}. Probable cause: espeakng-loader is not installed for this platform"
            ) from exc
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_void_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        # The data path is passed explicitly: the wheel's data is not where a
        # system eSpeak NG would look for it.
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path.encode(), 0)
        if rate <= 0:
            raise EngineUnavailable(f"eSpeak NG failed to initialise with data at {data_path}")
        self.lib = lib
        self.sample_rate: int = rate
        self.version: str = (lib.espeak_Info(None) or b"").decode()
        self._chunks: list[bytes] = []
        self._identifiers: dict[str, str | None] = {}
        # Kept on the instance: ctypes must hold the callback alive as long as C may call it.
        self._callback = _Callback(self._collect)
        lib.espeak_SetSynthCallback(self._callback)

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int) -> int:
        if count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def voices(self) -> list[tuple[str, str, str]]:
        """(language, identifier, name) of every voice."""
        found = []
        entries = self.lib.espeak_ListVoices(None)
        index = 0
        while entries[index]:
            voice = entries[index].contents
            # ``languages`` is a list of (priority byte, name, NUL), ending with a NUL.
            language = (voice.languages or b"\x00x")[1:].split(b"\x00")[0].decode()
            found.append(
                (language, (voice.identifier or b"").decode(), (voice.name or b"").decode())
            )
            index += 1
        return found

    def identifier(self, voice: str) -> str | None:
        """The voice file that a language code (``en-gb``), identifier or name refers to."""
        if voice not in self._identifiers:
            self._identifiers[voice] = self._find(voice.lower())
        return self._identifiers[voice]

    def _find(self, wanted: str) -> str | None:
        for language, identifier, name in self.voices():
            if wanted in (
                language.lower(),
                identifier.lower(),
                identifier.rsplit("/", 1)[-1].lower(),
                name.lower(),
            ):
                return identifier
        return None

    def _select(self, voice: str) -> None:
        # Voices are selected by file: espeak_SetVoiceByName knows "en-us" (a file)
        # but not "en-gb" (a language of the file "gmw/en").
        identifier = self.identifier(voice)
        if identifier is None or self.lib.espeak_SetVoiceByName(identifier.encode()) != _EE_OK:
            raise SynthesisError(f"eSpeak NG has no voice '{voice}' (see 'bulletins voices --all')")

    def phonemes(self, text: str, voice: str) -> str:
        """What eSpeak NG would say for ``text``, in IPA, a clause at a time joined by spaces."""
        self._select(voice)
        buffer = ctypes.create_string_buffer(text.encode("utf-8"))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        clauses = []
        while pointer.value:
            result = self.lib.espeak_TextToPhonemes(
                ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_IPA
            )
            clauses.append((result or b"").decode("utf-8"))
        return " ".join(clauses)

    def speak(self, text: str, voice: str, rate_wpm: int) -> bytes:
        self._select(voice)
        self.lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
        data = text.encode("utf-8")
        self._chunks = []
        status = self.lib.espeak_Synth(data, len(data) + 1, 0, 0, 0, _CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        if status != _EE_OK:
            raise SynthesisError(f"eSpeak NG failed (status {status}) on: {text[:60]}")
        return b"".join(self._chunks)


def _vowels(profile: Profile) -> bool:
    """Whether Arabic vowels are written in before eSpeak NG reads this profile's text."""
    return profile.espeak_diacritise and arabic.available()


def _prepared(text: str, profile: Profile) -> str:
    """The text as eSpeak NG is given it: vowels written in where the profile asks, and
    each letter's marks in the order eSpeak NG reads (the shadda first, no tatweel)."""
    if _vowels(profile):
        text = arabic.vowelled(text)
    return arabic.shadda_first(text)


def phonemes(text: str, voice: str) -> str:
    """The phonemes eSpeak NG says for ``text``, exactly as given, in IPA (for measurements)."""
    library = _library()
    with _LOCK:
        return library.phonemes(text, voice)


_LOADED: list[_Library] = []


def _library() -> _Library:
    """Load and initialise eSpeak NG once per process, on first use.

    Once only: eSpeak NG keeps its phoneme tables in C globals, and initialising it
    again while the process runs corrupts them ("Invalid instruction ... for
    phoneme", garbled or silent clips) and can crash the process.
    """
    with _LOCK:
        if not _LOADED:
            _LOADED.append(_Library())
        return _LOADED[0]


def library_version() -> str:
    """eSpeak NG's version, loading it into this process if it is not yet; "not
    installed" when it cannot be loaded."""
    try:
        return _library().version
    except EngineUnavailable:
        return "not installed"


class EspeakEngine:
    """eSpeak NG: offline, fast, every language it has, robotic but clear."""

    name: ClassVar[str] = "espeak"
    # eSpeak NG has no length limit; a sentence per call keeps its intonation whole,
    # and this bound only splits the rare run-on paragraph without punctuation.
    max_chars: ClassVar[int] = 600
    offline: ClassVar[bool] = True

    def __init__(self, options: EngineOptions | None = None) -> None:
        self._options = options  # eSpeak NG needs none: it is in the process

    def version(self) -> str:
        return f"espeak-ng {_library().version}"

    def speaks(self, profile: Profile) -> bool:
        if not profile.espeak_voice:
            return False
        try:
            library = _library()
        except EngineUnavailable:
            return False
        with _LOCK:
            return library.identifier(profile.espeak_voice) is not None

    def voice_key(self, profile: Profile) -> str:
        vowels = f"|vowelled by {arabic.version()}" if _vowels(profile) else ""
        return f"{profile.espeak_voice}|{profile.rate_for(self.name)}{vowels}|shadda first"

    def describe(self, profile: Profile) -> str:
        vowels = ", Arabic vowels written in by text2tashkeel" if _vowels(profile) else ""
        return f"eSpeak NG {_library().version}, voice {profile.espeak_voice}{vowels}"

    def check(self) -> None:
        _library()

    def synthesize(self, text: str, profile: Profile) -> Audio:
        if not profile.espeak_voice:
            raise SynthesisError(f"the {profile.english_name} profile names no eSpeak NG voice")
        text = _prepared(text, profile)
        library = _library()
        with _LOCK:
            pcm = library.speak(text, profile.espeak_voice, profile.rate_for(self.name))
        return Audio(pcm=pcm, sample_rate=library.sample_rate)

    def voices(self) -> list[VoiceInfo]:
        library = _library()
        with _LOCK:
            found = library.voices()
        return [
            VoiceInfo(self.name, language, identifier, name)
            for language, identifier, name in sorted(found)
        ]
