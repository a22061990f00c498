// Trend charts: one small line chart per KPI, the rep against the team median and the target.
(function () {
  "use strict";
  const dataEl = document.getElementById("trend-data");
  const grid = document.querySelector(".chart-grid");
  if (!dataEl || !grid || !window.Chart) return;
  const charts = JSON.parse(dataEl.textContent);
  const lang = document.documentElement.lang || undefined;
  charts.forEach((c) => {
    const canvas = document.getElementById("chart-" + c.key);
    if (!canvas) return;
    const datasets = [
      { label: grid.dataset.seriesRep, data: c.values, borderColor: "#0f766e", backgroundColor: "#0f766e",
        tension: 0.25, spanGaps: true, pointRadius: 3 },
      { label: grid.dataset.seriesMedian, data: c.median, borderColor: "#94a3b8", backgroundColor: "#94a3b8",
        borderDash: [4, 3], tension: 0.25, spanGaps: true, pointRadius: 0 },
    ];
    if (c.target !== null) {
      datasets.push({ label: grid.dataset.seriesTarget, data: c.labels.map(() => c.target), borderColor: "#b54708",
        backgroundColor: "#b54708", borderDash: [8, 4], borderWidth: 1.5, pointRadius: 0 });
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: c.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: lang,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: 11 } } } },
        scales: { y: { beginAtZero: true, ticks: { font: { size: 10 } } }, x: { ticks: { font: { size: 10 }, maxRotation: 0, autoSkip: true } } },
      },
    });
  });
  document.body.dataset.chartsReady = "true";
})();
