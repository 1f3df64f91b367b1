/* The statistics page's charts: the figures the page embeds (#chart-data), drawn with the vendored ECharts. */
(function () {
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var font = { fontFamily: getComputedStyle(document.body).fontFamily };
    var regions = document.getElementById("chart-regions");
    if (regions) {
      echarts.init(regions).setOption({
        textStyle: font, tooltip: {}, grid: { left: 48, right: 16, bottom: 64 },
        xAxis: { type: "category", data: data.regions, axisLabel: { rotate: 30, interval: 0 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", name: data.label, data: data.by_region, itemStyle: { color: "#8b0000" } }]
      });
    }
    var periods = document.getElementById("chart-periods");
    if (periods) {
      echarts.init(periods).setOption({
        textStyle: font, tooltip: { trigger: "axis" }, grid: { left: 48, right: 16 },
        xAxis: { type: "category", data: data.periods },
        yAxis: { type: "value" },
        series: [{ type: "line", name: data.label, data: data.by_period, itemStyle: { color: "#0b4fa8" } }]
      });
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
