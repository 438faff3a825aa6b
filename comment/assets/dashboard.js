(function () {
  var table = document.getElementById("summary");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var filter = document.getElementById("filter");
  var verdict = document.getElementById("verdict");
  var shown = document.getElementById("shown");
  function apply() {
    var q = filter.value.toLowerCase(), v = verdict.value, n = 0;
    rows.forEach(function (r) {
      var ok = (!v || r.getAttribute("data-verdict") === v) &&
        (!q || r.getAttribute("data-name").toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = String(n);
  }
  filter.addEventListener("input", apply);
  verdict.addEventListener("change", apply);
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, col) {
    th.tabIndex = 0;
    function sort() {
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var num = th.getAttribute("data-type") === "num";
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-v"), y = b.cells[col].getAttribute("data-v");
        if (x === null) x = a.cells[col].textContent;
        if (y === null) y = b.cells[col].textContent;
        if (num) {
          x = parseFloat(x); y = parseFloat(y);
          if (isNaN(x) || isNaN(y)) return isNaN(x) - isNaN(y); // blanks last
          return dir * (x - y);
        }
        return dir * x.localeCompare(y);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    }
    th.addEventListener("click", sort);
    th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") sort(); });
  });
  apply();
  document.documentElement.setAttribute("data-ready", "1");
})();
