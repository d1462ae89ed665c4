// Manager dashboard charts. The data comes from json_script elements the server renders
// next to a table carrying the same numbers, so nothing is lost without JavaScript.
(function () {
  "use strict";

  // Colour-blind-safe palette (Okabe-Ito); the target line is also dashed, not only coloured.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function drawMetricTrend(Chart) {
    var data = readJson("metric-trend-data");
    var canvas = document.getElementById("metric-trend-chart");
    if (!data || !canvas) {
      return;
    }
    // A segment's own target is dashed in its segment's colour; the scope's target is grey.
    var colours = {};
    data.series.forEach(function (series) {
      if (!series.target) {
        colours[series.label] = PALETTE[Object.keys(colours).length % PALETTE.length];
      }
    });
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series) {
          var colour = series.target
            ? colours[series.of] || "#57606a"
            : colours[series.label];
          return {
            label: series.label,
            data: series.values,
            borderColor: colour,
            backgroundColor: colour,
            borderDash: series.target ? [6, 4] : [],
            spanGaps: true,
            tension: 0,
          };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: data.unit } } },
      },
    });
  }

  function drawWorkload(Chart) {
    var data = readJson("workload-data");
    var canvas = document.getElementById("workload-chart");
    if (!data || !canvas) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: "Expected hours a week",
            data: data.expected,
            backgroundColor: data.expected.map(function (hours, index) {
              return hours > data.capacity[index] ? "#D55E00" : "#0072B2";
            }),
          },
          {
            label: "Capacity",
            data: data.capacity,
            type: "line",
            borderColor: "#1b1f24",
            backgroundColor: "#1b1f24",
            borderDash: [6, 4],
            pointRadius: 0,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: "hours a week" } } },
      },
    });
  }

  function start() {
    if (typeof window.Chart === "undefined") {
      return; // the tables still carry every number
    }
    drawMetricTrend(window.Chart);
    drawWorkload(window.Chart);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
