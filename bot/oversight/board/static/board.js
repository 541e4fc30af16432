// A little progressive enhancement: every page works without it.
(function () {
  "use strict";
  // the filters apply as soon as one changes
  var filters = document.getElementById("filters");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () {
        if (select.name === "obligation") {
          var period = filters.querySelector("select[name=period]");
          if (period) { period.disabled = true; }
        }
        filters.submit();
      });
    });
  }
  // the Mini App: Telegram puts the signed initData in the address's fragment (tgWebAppData)
  var webapp = document.getElementById("webapp-signin");
  if (webapp) {
    var fragment = new URLSearchParams(window.location.hash.slice(1));
    var data = fragment.get("tgWebAppData") || "";
    if (!data && window.Telegram && window.Telegram.WebApp) { data = window.Telegram.WebApp.initData; }
    document.getElementById("init-data").value = data;
    webapp.submit();
  }
})();
