// The meeting page: waveform with moment markers (peaks come from the server), click a line or a
// moment to play from there, follow the playing line, and anchor a comment to a line or moment.
(function () {
  "use strict";
  // Read while this script runs (document.currentScript is gone in callbacks).
  const styleNonce = document.currentScript ? document.currentScript.nonce : "";
  const player = document.getElementById("player");
  if (!player) return;
  const markersEl = document.getElementById("moment-markers");
  const markers = markersEl ? JSON.parse(markersEl.textContent) : [];

  function seek(time, play) {
    if (!Number.isFinite(time)) return;
    player.currentTime = time;
    if (play !== false) player.play().catch(() => {});
  }

  // Lines and moments.
  document.addEventListener("click", (event) => {
    const target = event.target;
    const seekEl = target.closest("[data-seek]");
    if (seekEl) {
      event.preventDefault();
      seek(parseFloat(seekEl.dataset.seek));
      return;
    }
    if (target.closest("form, textarea, a, .tool, .line-comments")) return;
    const moment = target.closest("mark.moment");
    const line = target.closest(".segment");
    if (moment) seek(parseFloat(moment.dataset.time));
    else if (line) seek(parseFloat(line.dataset.start));
  });
  document.addEventListener("keydown", (event) => {
    const line = event.target.closest && event.target.closest(".segment");
    if (event.key === "Enter" && line && event.target === line) seek(parseFloat(line.dataset.start));
  });

  // Follow the playing line.
  const lines = Array.from(document.querySelectorAll(".segment"));
  let current = null;
  player.addEventListener("timeupdate", () => {
    const t = player.currentTime;
    const line = lines.find((l) => t >= parseFloat(l.dataset.start) && t < parseFloat(l.dataset.end));
    if (line === current) return;
    if (current) current.classList.remove("playing");
    if (line) line.classList.add("playing");
    current = line || null;
  });

  // Anchor the comment form to a line or a moment.
  const form = document.getElementById("comment-form");
  if (form) {
    const home = form.parentElement;
    const anchor = form.querySelector(".comment-anchor");
    const cancel = form.querySelector(".comment-cancel");
    document.querySelectorAll(".comment-btn").forEach((button) => {
      button.addEventListener("click", (event) => {
        event.stopPropagation();
        const line = button.closest(".segment");
        form.elements.segment_index.value = button.dataset.line || "";
        form.elements.moment_id.value = button.dataset.moment || "";
        anchor.textContent = button.dataset.moment
          ? button.closest(".chip").querySelector(".chip-play").textContent.replace("▶", "").trim()
          : line.querySelector(".time").textContent;
        anchor.hidden = false;
        cancel.hidden = false;
        line.querySelector(".line-body").appendChild(form);
        form.elements.body.focus();
      });
    });
    cancel.addEventListener("click", () => {
      form.elements.segment_index.value = "";
      form.elements.moment_id.value = "";
      anchor.hidden = true;
      cancel.hidden = true;
      home.appendChild(form);
    });
  }

  // Waveform.
  const box = document.getElementById("waveform");
  if (!box || !window.WaveSurfer) return;
  fetch(box.dataset.peaksUrl, { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null)
    .then((data) => {
      const options = {
        container: box,
        media: player,
        height: 72,
        waveColor: "#9fb3c8",
        progressColor: "#0f766e",
        cursorColor: "#1f2933",
        barWidth: 2,
        barGap: 1,
        barRadius: 1,
        normalize: true,
        dragToSeek: true,
        cspNonce: styleNonce,
      };
      const duration = (data && data.duration) || 0;
      if (data && data.peaks && data.peaks.length) {
        options.peaks = [data.peaks];
        options.duration = duration;
      } else if (duration > 900) {
        // No peaks and a long recording: draw a flat line rather than decode it in the browser.
        options.peaks = [[0, 0]];
        options.duration = duration;
      }
      const ws = WaveSurfer.create(options);
      const regions = ws.registerPlugin(WaveSurfer.Regions.create());
      let drawn = false;
      const draw = () => {
        if (drawn || !ws.getDuration()) return;
        drawn = true;
        markers.forEach((m) =>
          regions.addRegion({ id: "moment-" + m.id, start: m.time, color: m.colour, drag: false, resize: false })
        );
        box.dataset.ready = "true";
      };
      ws.on("decode", draw);
      ws.on("ready", draw);
      regions.on("region-clicked", (region, event) => {
        event.stopPropagation();
        seek(region.start);
      });
    });
})();
