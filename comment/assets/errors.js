(function () {
  var d = document.documentElement, seen = [];
  function rec(m) { seen.push(m); d.setAttribute("data-errors", seen.join(" | ")); }
  window.addEventListener("error", function (ev) {
    var t = ev.target && ev.target !== window && ev.target.tagName ? " loading " + ev.target.tagName : "";
    rec("error: " + (ev.message || "") + t);
  }, true);
  window.addEventListener("unhandledrejection", function (ev) { rec("rejection: " + ev.reason); });
  document.addEventListener("securitypolicyviolation", function (ev) {
    rec("csp: " + ev.violatedDirective + " " + ev.blockedURI);
  });
  window.alert = function (m) { rec("alert: " + m); };
})();
