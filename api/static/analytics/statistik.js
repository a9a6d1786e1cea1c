/* Draws the analytics page's charts with Chart.js (served from /statistik/assets). The numbers
   come from the JSON block #statistik-data; every chart has a table with the same numbers. */
(function () {
  "use strict";
  var source = document.getElementById("statistik-data");
  if (!source || typeof window.Chart === "undefined") return;
  var data = JSON.parse(source.textContent || "{}");
  var colours = ["#005a9c", "#b35900", "#1d6b2b", "#6f2da8", "#4a4a4a"];
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  window.Chart.defaults.animation = reduced ? false : window.Chart.defaults.animation;
  window.Chart.defaults.font.family = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";
  window.Chart.defaults.color = "#1a1a1a";

  var conversations = document.getElementById("chart-conversations");
  if (conversations) {
    new window.Chart(conversations, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.channels.map(function (channel, i) {
          return { label: channel.label, data: channel.values, backgroundColor: colours[i % colours.length] };
        })
      },
      options: {
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
  var rates = document.getElementById("chart-rates");
  if (rates) {
    new window.Chart(rates, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: "Klaret uden medarbejder (%)", data: data.containment, borderColor: colours[0], backgroundColor: colours[0] },
          { label: "Ikke forstået (%)", data: data.fallback, borderColor: colours[1], backgroundColor: colours[1], borderDash: [6, 4] }
        ]
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, max: 100 } } }
    });
  }
  var reminders = document.getElementById("chart-reminders");
  if (reminders && data.reminders) {
    new window.Chart(reminders, {
      type: "bar",
      data: {
        labels: data.reminders.labels,
        datasets: data.reminders.series.map(function (series, i) {
          return { label: series.label, data: series.values, backgroundColor: colours[i % colours.length] };
        })
      },
      options: {
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }
})();
