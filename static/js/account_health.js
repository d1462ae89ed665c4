// The account page's health trend. The data comes from a json_script element next to a
// table carrying the same numbers, so nothing is lost without JavaScript.
(function () {
  "use strict";

  function start() {
    var element = document.getElementById("health-trend-data");
    var canvas = document.getElementById("health-trend-chart");
    if (typeof window.Chart === "undefined" || !element || !canvas) {
      return; // the table still carries every number
    }
    var data = JSON.parse(element.textContent);
    function cutOff(label, value, colour) {
      return {
        label: label,
        data: data.labels.map(function () { return value; }),
        borderColor: colour,
        backgroundColor: colour,
        borderDash: [6, 4],
        pointRadius: 0,
      };
    }
    // Colour-blind-safe (Okabe-Ito); the cut-offs are dashed, not only coloured.
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          {
            label: "Health score",
            data: data.scores,
            borderColor: "#0072B2",
            backgroundColor: "#0072B2",
            stepped: true,
            pointRadius: 0,
            spanGaps: false,
          },
          cutOff("Green from", data.green_from, "#009E73"),
          cutOff("Yellow from", data.yellow_from, "#E69F00"),
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { min: 0, max: 100, title: { display: true, text: "score" } } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
