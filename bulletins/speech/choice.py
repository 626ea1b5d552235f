"""The engine choice: which engine speaks each language in a build, and what it found unusable."""

from __future__ import annotations

from bulletins.errors import EngineUnavailable
from bulletins.profiles.profile import Profile
from bulletins.speech.engines import ENGINES
from bulletins.speech.engines.base import Engine, EngineOptions


class EngineChoice:
    """Chooses the engine for each language, and remembers what it found out.

    With ``auto``, a profile's engines are tried in its order of preference; the
    first that speaks the language and is usable here wins. An engine found
    unusable is reported once and not tried again in this build.
    """

    def __init__(self, choice: str, options: EngineOptions) -> None:
        """``choice`` is an engine's name, or ``auto``."""
        self._choice = choice
        self.options = options
        self._engines: dict[str, Engine] = {}
        self._unusable: dict[str, str] = {}
        self.problems: list[str] = []
        """Each engine found unusable while ``auto`` went on to the next, for the summary."""

    @property
    def unusable(self) -> tuple[str, ...]:
        """The engines found unusable so far in this build, by name."""
        return tuple(self._unusable)

    def engine(self, name: str) -> Engine:
        if name not in self._engines:
            self._engines[name] = ENGINES[name](self.options)
        return self._engines[name]

    def _candidates(self, profile: Profile) -> list[str]:
        if self._choice != "auto":
            return [self._choice]
        preferred = [name for name in profile.engines if name in ENGINES]
        return preferred + (["espeak"] if "espeak" not in preferred else [])

    def can_speak(self, profile: Profile) -> bool:
        """Whether some candidate engine has a voice for the language (asks no network)."""
        return any(self.engine(name).speaks(profile) for name in self._candidates(profile))

    def why_not(self, profile: Profile) -> str:
        """What would speak a language no candidate engine speaks here, for the error."""
        speakers = [
            name for name in ENGINES if name != "tone" and self.engine(name).speaks(profile)
        ]
        if not speakers:
            return f"no engine bulletins knows speaks {profile.english_name}"
        said = []
        for name in speakers:
            if name == "gtts":
                said.append(
                    f"Google's voice speaks {profile.english_name} when it can be reached "
                    '(--engine gtts, or list "gtts" in the profile\'s engines)'
                )
            else:
                said.append(f"--engine {name} speaks {profile.english_name}")
        return "; ".join(said)

    def _usable(self, name: str) -> bool:
        if name in self._unusable:
            return False
        try:
            self.engine(name).check()
        except EngineUnavailable as exc:
            self._unusable[name] = str(exc)
            if self._choice == "auto":
                self.problems.append(
                    f"{exc}; speaking with the next engine in each profile instead"
                )
            return False
        return True

    def choose(self, profile: Profile) -> Engine:
        """The engine that will speak this profile's language.

        Raises:
            EngineUnavailable: the chosen engine, or every candidate, cannot be used.
        """
        for name in self._candidates(profile):
            if self.engine(name).speaks(profile) and self._usable(name):
                return self.engine(name)
        reasons = "; ".join(self._unusable.values()) or "no engine has a voice for it"
        raise EngineUnavailable(f"no engine can speak {profile.english_name} here: {reasons}")
