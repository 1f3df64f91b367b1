/* The statistics page's charts, drawn with the vendored ECharts: by region from the page's #chart-data, by
   quarter from the fragment htmx swaps into #chart-periods a moment later. No animation: what is on screen
   (and in a screenshot) is the figure. */
(function () {
  function font() { return { fontFamily: getComputedStyle(document.body).fontFamily }; }

  function byRegion() {
    var source = document.getElementById("chart-data");
    var target = document.getElementById("chart-regions");
    if (!source || !target || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    echarts.init(target).setOption({
      animation: false, textStyle: font(), tooltip: {}, grid: { left: 56, right: 16, bottom: 64 },
      xAxis: { type: "category", data: data.regions, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value" },
      series: [{ type: "bar", name: data.label, data: data.by_region, itemStyle: { color: "#8b0000" } }]
    });
  }

  function byPeriod(target) {
    var source = target.querySelector(".trend-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    target.innerHTML = "";
    echarts.init(target).setOption({
      animation: false, textStyle: font(), tooltip: { trigger: "axis" }, grid: { left: 56, right: 16 },
      xAxis: { type: "category", data: data.periods },
      yAxis: { type: "value" },
      series: [{ type: "line", name: data.label, data: data.by_period, itemStyle: { color: "#0b4fa8" } }]
    });
  }

  document.addEventListener("DOMContentLoaded", byRegion);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "chart-periods") { byPeriod(event.target); }
  });
})();
