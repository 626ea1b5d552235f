// bulletins listening pages: chapters and sentences jump the player, and the sentence
// being spoken is highlighted. Without this script every jump is still a link to the
// MP3 at that time (#t=seconds), so listening and downloading work without it.
"use strict";
(function () {
  var reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  function setUp(episode) {
    var audio = episode.querySelector("audio");
    if (!audio) {
      return;
    }
    var cues = Array.prototype.slice.call(episode.querySelectorAll(".cue[data-start]"));
    var starts = cues.map(function (cue) { return parseFloat(cue.dataset.start); });
    var ends = cues.map(function (cue) { return parseFloat(cue.dataset.end); });
    var follow = episode.querySelector("[data-follow]");
    var current = null;
    if (follow) {
      follow.closest("label").hidden = false;
    }

    function spokenAt(time) {
      // The last cue that starts at or before the time, if the time is before its end.
      var low = 0;
      var high = starts.length - 1;
      var found = -1;
      while (low <= high) {
        var middle = (low + high) >> 1;
        if (starts[middle] <= time + 0.05) {
          found = middle;
          low = middle + 1;
        } else {
          high = middle - 1;
        }
      }
      return found >= 0 && time < ends[found] ? cues[found] : null;
    }

    function inView(element) {
      var box = element.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }

    function highlight() {
      var cue = spokenAt(audio.currentTime);
      if (cue === current) {
        return;
      }
      if (current) {
        current.classList.remove("current");
        current.removeAttribute("aria-current");
      }
      current = cue;
      if (!cue) {
        return;
      }
      cue.classList.add("current");
      cue.setAttribute("aria-current", "true");
      var reading = episode.contains(document.activeElement) && document.activeElement.classList.contains("cue");
      if (follow && follow.checked && !audio.paused && !reading && !inView(cue)) {
        cue.scrollIntoView({ block: "center", behavior: reducedMotion.matches ? "auto" : "smooth" });
      }
    }

    episode.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-start]");
      if (!link || !episode.contains(link) || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      audio.currentTime = parseFloat(link.dataset.start);
      highlight();
      var playing = audio.play();
      if (playing && playing.catch) {
        playing.catch(function () {});
      }
    });
    audio.addEventListener("timeupdate", highlight);
    audio.addEventListener("seeked", highlight);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-episode]"), setUp);
})();
