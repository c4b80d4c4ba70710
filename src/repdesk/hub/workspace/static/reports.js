/* Report pages: draw every chart from its JSON block (<script type="application/json"
   data-chart> beside a <canvas>), with colours from CSS custom properties so light and
   dark both read well; redraw when the colour scheme changes or htmx swaps results in.
   After "load more", move focus to the first new item. No inline script, no eval. */
(function () {
  "use strict";

  function cssVar(name, fallback) {
    var value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    var colours = [];
    for (var i = 1; i <= 6; i++) colours.push(cssVar("--chart-" + i, "#23727a"));
    return colours;
  }

  function formatter(kind) {
    if (kind === "pct") return function (v) { return v === null ? "–" : (v * 100).toFixed(1) + " %"; };
    if (kind === "hours") return function (v) { return v === null ? "–" : v.toFixed(1) + " h"; };
    return function (v) { return v === null ? "–" : v.toLocaleString(); };
  }

  function config(spec) {
    var colours = palette();
    var format = formatter(spec.valueKind);
    var stacked = spec.kind === "stacked";
    var line = spec.kind === "line";
    return {
      type: line ? "line" : "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series, i) {
          var colour = colours[i % colours.length];
          return { label: series.name, data: series.values, backgroundColor: colour, borderColor: colour, borderWidth: line ? 2 : 0 };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: { display: spec.series.length > 1, position: "bottom" },
          tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": " + format(ctx.raw); } } }
        },
        scales: {
          x: { stacked: stacked, grid: { display: false } },
          y: {
            stacked: stacked,
            beginAtZero: true,
            suggestedMax: spec.valueKind === "pct" ? 1 : undefined,
            ticks: {
              precision: spec.valueKind === "int" ? 0 : undefined,
              callback: function (v) {
                return spec.valueKind === "pct" ? Math.round(v * 100) + " %" : v.toLocaleString();
              }
            }
          }
        }
      }
    };
  }

  function draw(block) {
    var figure = block.parentElement;
    var canvas = figure && figure.querySelector("canvas");
    if (!canvas || window.Chart.getChart(canvas)) return;
    new window.Chart(canvas, config(JSON.parse(block.textContent)));
  }

  function applyTheme() {
    window.Chart.defaults.color = cssVar("--muted", "#5a6475");
    window.Chart.defaults.borderColor = cssVar("--border", "#dce1e7");
    window.Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  }

  function forget() {
    Object.values(window.Chart.instances).forEach(function (chart) {
      if (!chart.canvas.isConnected) chart.destroy();
    });
  }

  function drawAll(root) {
    if (!window.Chart) return;
    forget();
    root.querySelectorAll('script[type="application/json"][data-chart]').forEach(draw);
  }

  function redrawAll() {
    Object.values(window.Chart.instances).forEach(function (chart) { chart.destroy(); });
    applyTheme();
    drawAll(document);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Chart) return;
    applyTheme();
    drawAll(document);
    window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", redrawAll);
  });

  document.addEventListener("htmx:load", function (event) {
    drawAll(event.detail.elt.parentElement || document);
  });

  /* "Load more" replaces its own list item with the next items: focus the first. */
  document.addEventListener("htmx:beforeSwap", function (event) {
    var item = event.detail.target;
    if (item && item.classList && item.classList.contains("feed-more")) {
      var previous = item.previousElementSibling;
      document.addEventListener("htmx:afterSettle", function settle() {
        document.removeEventListener("htmx:afterSettle", settle);
        var next = previous ? previous.nextElementSibling : null;
        if (next) { next.setAttribute("tabindex", "-1"); next.focus(); }
      });
    }
  });
})();
