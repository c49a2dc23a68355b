/*! CareAtlas searchClient for InstantSearch.js (and React/Vue InstantSearch).
 *    <script src="https://HOST/v1/instantsearch.js"></script>
 *    instantsearch({ indexName: 'offers', searchClient: careAtlasSearchClient({ host: 'https://HOST', key: 'ca_search_…' }) })
 *  Index names choose the type: offers, facilities, doctors, treatments or all; a sort is a replica
 *  named like offers/price_asc. Facets: type, country, city, category, kind, accreditation, language,
 *  and price (numeric: rangeInput; facets_stats). Defines one global, careAtlasSearchClient
 *  (or module.exports under CommonJS). */
(function (root, factory) {
  var api = factory(root);
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.careAtlasSearchClient = api;
})(typeof self !== 'undefined' ? self : this, function (root) {
  'use strict';

  var script = root.document && root.document.currentScript;
  var DEFAULT_HOST = script && script.src ? new URL(script.src, root.location.href).origin : '';

  var INDEX_TYPES = { offers: 'offer', facilities: 'facility', doctors: 'doctor', treatments: 'treatment', all: '' };
  var SORTS = ['relevance', 'price_asc', 'price_desc', 'rating', 'distance'];
  var FILTERS = ['type', 'country', 'city', 'category', 'kind', 'accreditation', 'language'];
  // Filters that hold one value per record: requiring two different values
  // of one of them matches nothing.
  var SINGLE = ['type', 'country', 'city', 'kind'];
  var FACETS = FILTERS.concat('price');
  var MAX_WINDOW = 10000;
  var MAX_PER_PAGE = 100;
  // Fields whose highlight the API returns, as InstantSearch attributes.
  var HIGHLIGHTED = ['name', 'treatment.name', 'facility.name', 'facility.city', 'lay_names', 'doctors', 'specialties'];

  function fail(message) { return new Error('CareAtlas: ' + message); }

  function parseIndex(name) {
    var parts = String(name || 'all').split('/');
    if (!(parts[0] in INDEX_TYPES)) throw fail('unknown index "' + name + '": use offers, facilities, doctors, treatments or all, optionally /sort');
    var sort = parts[1] || 'relevance';
    if (parts.length > 2 || SORTS.indexOf(sort) < 0) throw fail('unknown sort in index "' + name + '": use ' + SORTS.join(', '));
    return { type: INDEX_TYPES[parts[0]], sort: sort };
  }

  // params: InstantSearch sends an object; older clients a query string.
  function readParams(p) {
    if (!p || typeof p !== 'string') return p || {};
    var out = {};
    new URLSearchParams(p).forEach(function (v, k) {
      try { out[k] = JSON.parse(v); } catch (e) { out[k] = v; }
    });
    return out;
  }

  function list(v) {
    if (v == null || v === '') return [];
    if (typeof v === 'string') {
      try { v = JSON.parse(v); } catch (e) { v = v.split(','); }
    }
    return Array.isArray(v) ? v : [v];
  }

  function splitFilter(f) {
    var i = f.indexOf(':');
    if (i < 0) throw fail('facet filter "' + f + '" is not attribute:value');
    var attr = f.slice(0, i).trim(), value = f.slice(i + 1);
    if (value.charAt(0) === '-') throw fail('negative facet filters ("' + f + '") are not supported');
    if (value.slice(0, 2) === '\\-') value = value.slice(1);
    if (FILTERS.indexOf(attr) < 0) throw fail('cannot filter on "' + attr + '": use ' + FILTERS.join(', '));
    return { attr: attr, value: value };
  }

  // facetFilters: the outer list is AND, an inner list OR. CareAtlas ORs the
  // values of one filter and ANDs different filters, so an OR group must
  // stay within one attribute.
  function facetFilters(ff, out) {
    list(ff).forEach(function (group) {
      var items = (Array.isArray(group) ? group : [group]).map(splitFilter);
      if (!items.length) return;
      var attr = items[0].attr;
      items.forEach(function (it) {
        if (it.attr !== attr) throw fail('cannot OR "' + attr + '" with "' + it.attr + '": OR within one attribute only');
      });
      var values = items.map(function (it) { return it.value; });
      if (!out[attr]) { out[attr] = values; return; }
      // AND with an earlier group of the same attribute.
      var both = out[attr].filter(function (v) { return values.indexOf(v) >= 0; });
      if (SINGLE.indexOf(attr) < 0 && !(both.length === values.length && both.length === out[attr].length)) {
        throw fail('cannot require several values of "' + attr + '" at once: OR them in one group');
      }
      out[attr] = both;
    });
  }

  // numericFilters on price become price_min and price_max.
  function numericFilters(nf, q) {
    list(nf).forEach(function (f) {
      if (Array.isArray(f)) {
        if (f.length !== 1) throw fail('OR of numeric filters is not supported');
        f = f[0];
      }
      var m = /^\s*([\w.]+)\s*(<=|>=|<|>|=)\s*(-?[\d.]+(?:e[+-]?\d+)?)\s*$/i.exec(f);
      if (!m) throw fail('numeric filter "' + f + '" is not attribute<op>number');
      if (m[1] !== 'price') throw fail('numeric filters work on price only, not "' + m[1] + '"');
      if (m[2] !== '<' && m[2] !== '<=') q.set('price_min', m[3]);
      if (m[2] !== '>' && m[2] !== '>=') q.set('price_max', m[3]);
    });
  }

  function unescapeHTML(s) {
    return s.replace(/&(amp|lt|gt|quot|#34|#39);/g, function (m) {
      return { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#34;': '"', '&#39;': "'" }[m];
    });
  }

  function get(obj, path) {
    return path.split('.').reduce(function (o, k) { return o == null ? o : o[k]; }, obj);
  }
  function put(obj, path, v) {
    var keys = path.split('.'), last = keys.pop();
    keys.forEach(function (k) { obj = obj[k] = obj[k] || {}; });
    obj[last] = v;
  }

  // highlightResult builds Algolia's _highlightResult from the API's
  // highlight: plain text (InstantSearch escapes it) with the request's tags.
  function highlightResult(hit, pre, post, words) {
    var out = {}, hl = Object.assign({}, hit.highlight);
    // An offer's name is its treatment's.
    if (hit.type === 'offer' && hl.name == null && hl['treatment.name'] != null) hl.name = hl['treatment.name'];
    HIGHLIGHTED.forEach(function (field) {
      var marked = hl[field], raw = get(hit, field);
      if (marked == null && (raw == null || typeof raw === 'object')) return;
      if (marked == null) {
        put(out, field, { value: String(raw), matchLevel: 'none', matchedWords: [] });
        return;
      }
      put(out, field, { value: retag(marked, pre, post), matchLevel: 'full', fullyHighlighted: false, matchedWords: words });
    });
    return out;
  }

  // retag turns the API's marked text (HTML-escaped, <mark>) into the
  // helper's highlight tags.
  function retag(marked, pre, post) {
    return unescapeHTML(marked.replace(/<mark>/g, '\u0001').replace(/<\/mark>/g, '\u0002'))
      .replace(/\u0001/g, pre).replace(/\u0002/g, post);
  }

  // snippetResult shows what a hit matched (the API's matched: a lay name
  // or translation the patient typed) as _snippetResult.matched, with the
  // field it is in.
  function snippetResult(hit, pre, post, words) {
    if (!hit.matched) return undefined;
    return { matched: { value: retag(hit.matched.text, pre, post), field: hit.matched.field, matchLevel: 'full', matchedWords: words } };
  }

  function careAtlasSearchClient(options) {
    options = options || {};
    var host = String(options.host || DEFAULT_HOST).replace(/\/+$/, '');
    var key = options.key || '';
    var currency = (options.currency || 'USD').toUpperCase();
    var doFetch = options.fetch || (root.fetch && root.fetch.bind(root));
    if (!doFetch) throw fail('no fetch: pass options.fetch');

    function apiGet(path, q) {
      if (key) q.set('key', key);
      return doFetch(host + path + '?' + q.toString(), { credentials: 'omit' }).then(function (res) {
        return res.json().catch(function () { return null; }).then(function (body) {
          if (res.ok) return body;
          var e = (body && body.error) || {};
          var err = fail((e.message || res.statusText || 'request failed') + (e.param ? ' (' + e.param + ')' : ''));
          err.status = res.status;
          err.code = e.code;
          throw err;
        });
      });
    }

    // query turns one InstantSearch request into /v1/search parameters.
    function query(req) {
      var p = readParams(req.params);
      var index = parseIndex(req.indexName);
      if (p.filters) throw fail('the filters string is not supported: use facetFilters and numericFilters');
      if (list(p.tagFilters).length) throw fail('tagFilters are not supported');
      var q = new URLSearchParams();
      if (p.query) q.set('q', p.query);
      var filters = {};
      if (index.type) filters.type = [index.type];
      facetFilters(p.facetFilters, filters);
      var empty = false;
      FILTERS.forEach(function (attr) {
        var vs = filters[attr];
        if (!vs) return;
        if (!vs.length) empty = true;
        if (attr === 'type' || attr === 'country') q.set(attr, vs.join(','));
        else vs.forEach(function (v) { q.append(attr, v); });
      });
      numericFilters(p.numericFilters, q);
      if (p.aroundLatLng) q.set('near', String(p.aroundLatLng).replace(/\s+/g, ''));
      if (typeof p.aroundRadius === 'number' && p.aroundLatLng) q.set('radius_km', String(p.aroundRadius / 1000));
      var facets = list(p.facets);
      if (facets.indexOf('*') >= 0) facets = FACETS;
      facets = facets.filter(function (f) { return FACETS.indexOf(f) >= 0; });
      if (facets.length) q.set('facets', facets.join(','));
      if (p.maxValuesPerFacet) q.set('facet_size', String(Math.min(100, Math.max(1, p.maxValuesPerFacet))));
      if (index.sort !== 'relevance') q.set('sort', index.sort);
      q.set('currency', currency);
      if (options.lang) q.set('lang', options.lang);
      if (options.from) q.set('from', options.from);
      q.set('posts', '0');
      // Algolia's analytics: false (the helper sends it with the extra
      // queries that count a refined facet's other values) leaves the
      // search out of CareAtlas's analytics too.
      if (p.analytics === false || p.analytics === 'false') q.set('record', 'false');
      var hitsPerPage = p.hitsPerPage == null ? 20 : Math.max(0, Math.min(MAX_PER_PAGE, Number(p.hitsPerPage)));
      var page = Math.max(0, Number(p.page) || 0);
      return { q: q, p: p, facets: facets, hitsPerPage: hitsPerPage, page: page, empty: empty, index: req.indexName };
    }

    function emptyResult(x) {
      var facets = {};
      x.facets.forEach(function (f) { facets[f] = {}; });
      return {
        hits: [], nbHits: 0, nbPages: 0, page: x.page, hitsPerPage: x.hitsPerPage, facets: facets, processingTimeMS: 0,
        exhaustiveNbHits: true, exhaustiveFacetsCount: true, query: x.p.query || '', params: '', index: x.index
      };
    }

    // priceStats is the lowest and highest price of the search, in the
    // client's currency, for rangeInput: from the cheapest and dearest hits,
    // as the API converts them (a range by its low end when cheapest, its
    // high end when dearest).
    function priceStats(x) {
      var one = function (sort) {
        var q = new URLSearchParams(x.q);
        ['facets', 'facet_size', 'page', 'price_min', 'price_max'].forEach(function (k) { q.delete(k); });
        q.set('sort', sort);
        q.set('record', 'false'); // a lookup of the adapter's, not a search of the visitor's
        q.set('per_page', '20');
        return apiGet('/v1/search', q).then(function (res) {
          for (var i = 0; i < res.hits.length; i++) {
            var h = res.hits[i];
            if (h.converted_price) return h.converted_price.amount;
            var r = h.converted_price_range || (h.price_range && h.price_range.currency === currency ? h.price_range : null);
            if (r) return sort === 'price_asc' ? r.min : r.max;
          }
          return null;
        });
      };
      return Promise.all([one('price_asc'), one('price_desc')]).then(function (mm) {
        if (mm[0] == null || mm[1] == null) return null;
        return { min: mm[0], max: mm[1], avg: (mm[0] + mm[1]) / 2, sum: mm[0] + mm[1] };
      });
    }

    function searchOne(req) {
      var x = query(req);
      if (x.empty) return Promise.resolve(emptyResult(x));
      var perPage = Math.max(1, x.hitsPerPage);
      var page = x.page;
      if ((page + 1) * perPage > MAX_WINDOW) page = Math.floor(MAX_WINDOW / perPage) - 1;
      x.q.set('page', String(page + 1));
      x.q.set('per_page', String(perPage));
      var wantsStats = x.facets.indexOf('price') >= 0;
      // The stats follow the filters but not a price range of their own, as
      // the helper asks for them in the price facet's own query.
      return Promise.all([apiGet('/v1/search', x.q), wantsStats ? priceStats(x) : null]).then(function (both) {
        var res = both[0], stats = both[1];
        var pre = x.p.highlightPreTag || '<em>', post = x.p.highlightPostTag || '</em>';
        var words = String(x.p.query || '').split(/\s+/).filter(Boolean);
        var facets = {};
        x.facets.forEach(function (f) {
          facets[f] = {};
          ((res.facets || {})[f] || []).forEach(function (v) { if (v.count > 0) facets[f][v.value] = v.count; });
        });
        var out = {
          hits: x.hitsPerPage === 0 ? [] : res.hits.map(function (h) {
            var hit = Object.assign({}, h, { objectID: h.type + ':' + h.id });
            hit._highlightResult = highlightResult(h, pre, post, words);
            if (h.matched) hit._snippetResult = snippetResult(h, pre, post, words);
            delete hit.highlight;
            return hit;
          }),
          nbHits: res.total,
          page: x.page,
          hitsPerPage: x.hitsPerPage,
          nbPages: x.hitsPerPage === 0 ? 0 : Math.ceil(Math.min(res.total, MAX_WINDOW) / x.hitsPerPage),
          facets: facets,
          processingTimeMS: Math.round(res.took_ms || 0),
          exhaustiveNbHits: true,
          exhaustiveFacetsCount: true,
          query: x.p.query || '',
          params: x.q.toString(),
          index: x.index
        };
        if (stats) out.facets_stats = { price: stats };
        if (res.did_you_mean) out.did_you_mean = res.did_you_mean;
        if (res.expansions) out.expansions = res.expansions;
        return out;
      });
    }

    // facetValues answers searchForFacetValues: the facet's values (up to
    // 100) that contain the typed text, case-insensitively.
    function facetValues(req) {
      var p = readParams(req.params);
      var facet = req.facet || p.facetName;
      if (FILTERS.indexOf(facet) < 0) return Promise.reject(fail('cannot search the values of "' + facet + '"'));
      var max = Math.max(1, Math.min(100, p.maxFacetHits || 10));
      var params = Object.assign({}, p, { facets: [facet], hitsPerPage: 0, maxValuesPerFacet: 100 });
      delete params.facetName; delete params.facetQuery; delete params.maxFacetHits;
      var needle = String(p.facetQuery || '').toLowerCase();
      var pre = p.highlightPreTag || '<em>', post = p.highlightPostTag || '</em>';
      return searchOne({ indexName: req.indexName, params: params }).then(function (r) {
        var counts = r.facets[facet] || {};
        var hits = Object.keys(counts).filter(function (v) { return v.toLowerCase().indexOf(needle) >= 0; })
          .sort(function (a, b) { return counts[b] - counts[a] || (a < b ? -1 : 1); })
          .slice(0, max).map(function (v) {
            var i = v.toLowerCase().indexOf(needle);
            var hl = needle ? v.slice(0, i) + pre + v.slice(i, i + needle.length) + post + v.slice(i + needle.length) : v;
            return { value: v, highlighted: hl, count: counts[v] };
          });
        return { facetHits: hits, exhaustiveFacetsCount: true, processingTimeMS: r.processingTimeMS };
      });
    }

    function requestsOf(arg) { return Array.isArray(arg) ? arg : (arg && arg.requests) || []; }

    return {
      search: function (requests) {
        return Promise.all(requestsOf(requests).map(function (r) {
          return r.type === 'facet' ? facetValues(r) : searchOne(r);
        })).then(function (results) { return { results: results }; });
      },
      searchForFacetValues: function (requests) {
        return Promise.all(requestsOf(requests).map(facetValues));
      },
      clearCache: function () { return Promise.resolve(); }
    };
  }

  careAtlasSearchClient.careAtlasSearchClient = careAtlasSearchClient;
  return careAtlasSearchClient;
});
