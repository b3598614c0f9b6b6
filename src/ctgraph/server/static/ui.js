// Starts YASGUI on the page served at /, with one tab per named query of queries/.
// Configured so that the browser talks to this server only: no prefix.cc or LOV look-ups,
// no endpoint catalogue, no CORS probe, no state taken from the URL.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("ctgraph-ui-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var root = document.getElementById("yasgui");
  if (typeof Yasgui === "undefined" || !root) {
    return; // the <noscript> form is the fallback; without YASGUI there is nothing to start
  }
  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    // Each visit starts from the examples; remembering tabs in localStorage would duplicate them.
    persistenceId: null,
    autoAddOnInit: false,
    populateFromUrl: false,
    // The default catalogue offers DBpedia and Wikidata; ours offers only this endpoint.
    endpointCatalogueOptions: {
      getData: function () { return [{ endpoint: endpoint }]; }
    },
    yasqe: {
      // "property" and "class" completion query Linked Open Vocabularies on the internet; prefixes come from
      // the list bundled in YASQE (prefixCcApi stays unset).
      autocompleters: ["variables", "prefixes"],
      prefixCcApi: null
    }
  });
  config.queries.forEach(function (query, index) {
    yasgui.addTab(index === 0, {
      name: query.title,
      yasqe: { value: query.text },
      requestConfig: { endpoint: endpoint, method: "POST" }
    });
  });
  // Result IRIs under the base IRI are resources of this server: open their pages here, not at the public
  // address (which may not point to this server at all, e.g. when running locally).
  root.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link && config.baseIri && link.href.indexOf(config.baseIri) === 0) {
      link.href = new URL("/" + link.href.slice(config.baseIri.length), window.location.href).href;
    }
  }, true);
  window.ctgraphYasgui = yasgui; // for tests and for the curious console user
})();
