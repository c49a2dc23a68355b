/*! CareAtlas search widget. One tag renders treatment and provider search where it stands:
 *    <script src="https://HOST/v1/widget.js" data-key="ca_search_…" async></script>
 *  Options are data attributes (see the README, "Search on your clinic's website"). It renders in an
 *  open shadow root, defines one global (CareAtlas), talks only to HOST, sets no cookies, and keeps
 *  its search session id in sessionStorage. */
(function (window, document) {
  'use strict';

  var script = document.currentScript;
  if (window.CareAtlas && window.CareAtlas.mount) {
    // A second tag on the page: the code is here already.
    if (script) window.CareAtlas.mount(script);
    return;
  }
  var HOST = script && script.src ? new URL(script.src, location.href).origin : location.origin;

  var DEBOUNCE_MS = 40;        // as-you-type search waits this long after a keystroke
  var SETTLE_MS = 1500;        // results left on screen this long make the search one the visitor settled on
  var SUGGEST_FROM = 2;        // /v1/suggest answers from the second character
  var MAX_WINDOW = 10000;      // page × per_page the API serves
  var FACETS = ['type', 'country', 'category', 'price'];
  var SESSION_KEY = 'careatlas.session';
  var LANGS = ['en', 'es', 'fr', 'de', 'tr'];

  // The widget's own text. {x} marks a value filled in.
  var TEXT = {
    en: {
      label: 'Search treatments, clinics and doctors', placeholder: 'Treatment, clinic or doctor — e.g. knee replacement',
      search: 'Search', suggestions: 'Suggestions', results: '{n} results', result1: '1 result', searching: 'Searching…',
      none: 'No results for “{q}”.', tryThese: 'Check the spelling or try one of these:', dym: 'Did you mean', dymCount: '{n} results',
      also: 'Also searched for', typo: 'spelling', synonym: 'same meaning', matched: 'Matched', typical: 'Typical in {c}: {p} (country reference, not this clinic’s price)', remove: 'Remove {x}',
      filters: 'Refine', type: 'Show', country: 'Country', category: 'Treatment area', price: 'Price', clear: 'Clear filters',
      sort: 'Sort by', relevance: 'Best match', price_asc: 'Lowest price', price_desc: 'Highest price', rating: 'Rating', distance: 'Distance',
      near: 'Sort by distance from me', nearOn: 'Using your location', nearFail: 'Your location is not available.',
      post: 'Post from a provider', posts: 'Posts from providers', why: 'Why you see this:',
      reviews: '{n} reviews', review1: '1 review', ratingOf: 'Rated {r} out of 5',
      accreditations: 'Accreditations', languages: 'Languages', onRequest: 'Price on request', original: 'original price',
      rates: 'Prices converted at the rates of {d}.', doctors: 'Doctors', clinics: 'Clinics', treatments: 'Treatments', offers: 'Prices', includes: 'Includes',
      open: 'View clinic', compare: 'Compare prices', back: 'Back to results', website: 'Website', experience: '{n} years of experience',
      priced: '{n} prices', from: 'from {p}', km: '{d} km away', abroad: 'abroad',
      prev: 'Previous page', next: 'Next page', page: 'Page {p} of {n}', pages: 'Result pages',
      offer: 'Price', facility: 'Clinic', doctor: 'Doctor', treatment: 'Treatment',
      errOrigin: 'This website is not allowed to use this CareAtlas search (the search key does not allow its address).',
      errKey: 'This CareAtlas search key is not valid.',
      errRate: 'Too many searches right now. Try again in {s} seconds.', errRateSoon: 'Too many searches right now. Try again shortly.',
      errNetwork: 'The search service cannot be reached. Check the connection and try again.',
      errServer: 'The search failed: {m}', retry: 'Try again', by: 'Search by CareAtlas'
    },
    es: {
      label: 'Buscar tratamientos, clínicas y médicos', placeholder: 'Tratamiento, clínica o médico — p. ej. prótesis de rodilla',
      search: 'Buscar', suggestions: 'Sugerencias', results: '{n} resultados', result1: '1 resultado', searching: 'Buscando…',
      none: 'No hay resultados para «{q}».', tryThese: 'Revise la ortografía o pruebe una de estas búsquedas:', dym: 'Quizás quiso decir', dymCount: '{n} resultados',
      also: 'También se buscó', typo: 'ortografía', synonym: 'mismo significado', matched: 'Coincide con', typical: 'Habitual en {c}: {p} (referencia del país, no el precio de esta clínica)', remove: 'Quitar {x}',
      filters: 'Filtrar', type: 'Mostrar', country: 'País', category: 'Especialidad', price: 'Precio', clear: 'Quitar filtros',
      sort: 'Ordenar por', relevance: 'Más relevante', price_asc: 'Precio más bajo', price_desc: 'Precio más alto', rating: 'Valoración', distance: 'Distancia',
      near: 'Ordenar por distancia', nearOn: 'Usando su ubicación', nearFail: 'Su ubicación no está disponible.',
      post: 'Publicación de un proveedor', posts: 'Publicaciones de proveedores', why: 'Por qué lo ve:',
      reviews: '{n} opiniones', review1: '1 opinión', ratingOf: 'Valoración {r} de 5',
      accreditations: 'Acreditaciones', languages: 'Idiomas', onRequest: 'Precio a consultar', original: 'precio original',
      rates: 'Precios convertidos con los tipos de cambio del {d}.', doctors: 'Médicos', clinics: 'Clínicas', treatments: 'Tratamientos', offers: 'Precios', includes: 'Incluye',
      open: 'Ver clínica', compare: 'Comparar precios', back: 'Volver a los resultados', website: 'Sitio web', experience: '{n} años de experiencia',
      priced: '{n} precios', from: 'desde {p}', km: 'a {d} km', abroad: 'en el extranjero',
      prev: 'Página anterior', next: 'Página siguiente', page: 'Página {p} de {n}', pages: 'Páginas de resultados',
      offer: 'Precio', facility: 'Clínica', doctor: 'Médico', treatment: 'Tratamiento',
      errOrigin: 'Este sitio web no está autorizado a usar esta búsqueda de CareAtlas (la clave no permite su dirección).',
      errKey: 'La clave de búsqueda de CareAtlas no es válida.',
      errRate: 'Demasiadas búsquedas en este momento. Inténtelo de nuevo en {s} segundos.', errRateSoon: 'Demasiadas búsquedas en este momento. Inténtelo de nuevo en breve.',
      errNetwork: 'No se puede conectar con el servicio de búsqueda. Compruebe la conexión e inténtelo de nuevo.',
      errServer: 'La búsqueda ha fallado: {m}', retry: 'Reintentar', by: 'Búsqueda de CareAtlas'
    },
    fr: {
      label: 'Rechercher des traitements, cliniques et médecins', placeholder: 'Traitement, clinique ou médecin — p. ex. prothèse du genou',
      search: 'Rechercher', suggestions: 'Suggestions', results: '{n} résultats', result1: '1 résultat', searching: 'Recherche…',
      none: 'Aucun résultat pour « {q} ».', tryThese: 'Vérifiez l’orthographe ou essayez :', dym: 'Vouliez-vous dire', dymCount: '{n} résultats',
      also: 'Recherche élargie à', typo: 'orthographe', synonym: 'même sens', matched: 'Correspond à', typical: 'Habituel en {c} : {p} (référence du pays, pas le prix de cette clinique)', remove: 'Retirer {x}',
      filters: 'Affiner', type: 'Afficher', country: 'Pays', category: 'Spécialité', price: 'Prix', clear: 'Effacer les filtres',
      sort: 'Trier par', relevance: 'Pertinence', price_asc: 'Prix croissant', price_desc: 'Prix décroissant', rating: 'Note', distance: 'Distance',
      near: 'Trier par distance', nearOn: 'Votre position est utilisée', nearFail: 'Votre position n’est pas disponible.',
      post: 'Publication d’un prestataire', posts: 'Publications de prestataires', why: 'Pourquoi vous la voyez :',
      reviews: '{n} avis', review1: '1 avis', ratingOf: 'Noté {r} sur 5',
      accreditations: 'Accréditations', languages: 'Langues', onRequest: 'Prix sur demande', original: 'prix d’origine',
      rates: 'Prix convertis aux taux du {d}.', doctors: 'Médecins', clinics: 'Cliniques', treatments: 'Traitements', offers: 'Prix', includes: 'Comprend',
      open: 'Voir la clinique', compare: 'Comparer les prix', back: 'Retour aux résultats', website: 'Site web', experience: '{n} ans d’expérience',
      priced: '{n} prix', from: 'à partir de {p}', km: 'à {d} km', abroad: 'à l’étranger',
      prev: 'Page précédente', next: 'Page suivante', page: 'Page {p} sur {n}', pages: 'Pages de résultats',
      offer: 'Prix', facility: 'Clinique', doctor: 'Médecin', treatment: 'Traitement',
      errOrigin: 'Ce site n’est pas autorisé à utiliser cette recherche CareAtlas (la clé ne permet pas son adresse).',
      errKey: 'Cette clé de recherche CareAtlas n’est pas valide.',
      errRate: 'Trop de recherches en ce moment. Réessayez dans {s} secondes.', errRateSoon: 'Trop de recherches en ce moment. Réessayez bientôt.',
      errNetwork: 'Le service de recherche est injoignable. Vérifiez la connexion et réessayez.',
      errServer: 'La recherche a échoué : {m}', retry: 'Réessayer', by: 'Recherche par CareAtlas'
    },
    de: {
      label: 'Behandlungen, Kliniken und Ärzte suchen', placeholder: 'Behandlung, Klinik oder Arzt – z. B. Knieprothese',
      search: 'Suchen', suggestions: 'Vorschläge', results: '{n} Ergebnisse', result1: '1 Ergebnis', searching: 'Suche läuft…',
      none: 'Keine Ergebnisse für „{q}“.', tryThese: 'Prüfen Sie die Schreibweise oder versuchen Sie:', dym: 'Meinten Sie', dymCount: '{n} Ergebnisse',
      also: 'Auch gesucht nach', typo: 'Schreibweise', synonym: 'gleiche Bedeutung', matched: 'Treffer', typical: 'Üblich in {c}: {p} (Richtwert des Landes, nicht der Preis dieser Klinik)', remove: '{x} entfernen',
      filters: 'Eingrenzen', type: 'Anzeigen', country: 'Land', category: 'Fachgebiet', price: 'Preis', clear: 'Filter entfernen',
      sort: 'Sortieren nach', relevance: 'Relevanz', price_asc: 'Niedrigster Preis', price_desc: 'Höchster Preis', rating: 'Bewertung', distance: 'Entfernung',
      near: 'Nach Entfernung sortieren', nearOn: 'Ihr Standort wird verwendet', nearFail: 'Ihr Standort ist nicht verfügbar.',
      post: 'Beitrag eines Anbieters', posts: 'Beiträge von Anbietern', why: 'Warum Sie das sehen:',
      reviews: '{n} Bewertungen', review1: '1 Bewertung', ratingOf: 'Bewertet mit {r} von 5',
      accreditations: 'Akkreditierungen', languages: 'Sprachen', onRequest: 'Preis auf Anfrage', original: 'Originalpreis',
      rates: 'Preise umgerechnet zu den Kursen vom {d}.', doctors: 'Ärzte', clinics: 'Kliniken', treatments: 'Behandlungen', offers: 'Preise', includes: 'Enthält',
      open: 'Klinik ansehen', compare: 'Preise vergleichen', back: 'Zurück zu den Ergebnissen', website: 'Website', experience: '{n} Jahre Erfahrung',
      priced: '{n} Preise', from: 'ab {p}', km: '{d} km entfernt', abroad: 'im Ausland',
      prev: 'Vorherige Seite', next: 'Nächste Seite', page: 'Seite {p} von {n}', pages: 'Ergebnisseiten',
      offer: 'Preis', facility: 'Klinik', doctor: 'Arzt', treatment: 'Behandlung',
      errOrigin: 'Diese Website darf diese CareAtlas-Suche nicht verwenden (der Suchschlüssel erlaubt ihre Adresse nicht).',
      errKey: 'Dieser CareAtlas-Suchschlüssel ist ungültig.',
      errRate: 'Gerade zu viele Suchen. Bitte in {s} Sekunden erneut versuchen.', errRateSoon: 'Gerade zu viele Suchen. Bitte gleich erneut versuchen.',
      errNetwork: 'Der Suchdienst ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.',
      errServer: 'Die Suche ist fehlgeschlagen: {m}', retry: 'Erneut versuchen', by: 'Suche von CareAtlas'
    },
    tr: {
      label: 'Tedavi, klinik ve doktor arayın', placeholder: 'Tedavi, klinik veya doktor — ör. diz protezi',
      search: 'Ara', suggestions: 'Öneriler', results: '{n} sonuç', result1: '1 sonuç', searching: 'Aranıyor…',
      none: '“{q}” için sonuç yok.', tryThese: 'Yazımı kontrol edin veya şunlardan birini deneyin:', dym: 'Bunu mu demek istediniz:', dymCount: '{n} sonuç',
      also: 'Şunlar da arandı', typo: 'yazım', synonym: 'aynı anlam', matched: 'Eşleşen', typical: '{c} için tipik: {p} (ülke referansı, bu kliniğin fiyatı değil)', remove: '{x} kaldır',
      filters: 'Daralt', type: 'Göster', country: 'Ülke', category: 'Tedavi alanı', price: 'Fiyat', clear: 'Filtreleri temizle',
      sort: 'Sırala', relevance: 'En uygun', price_asc: 'En düşük fiyat', price_desc: 'En yüksek fiyat', rating: 'Puan', distance: 'Uzaklık',
      near: 'Bana uzaklığa göre sırala', nearOn: 'Konumunuz kullanılıyor', nearFail: 'Konumunuz alınamadı.',
      post: 'Sağlayıcı gönderisi', posts: 'Sağlayıcı gönderileri', why: 'Neden görüyorsunuz:',
      reviews: '{n} değerlendirme', review1: '1 değerlendirme', ratingOf: '5 üzerinden {r} puan',
      accreditations: 'Akreditasyonlar', languages: 'Diller', onRequest: 'Fiyat için sorunuz', original: 'orijinal fiyat',
      rates: 'Fiyatlar {d} tarihli kurlarla çevrildi.', doctors: 'Doktorlar', clinics: 'Klinikler', treatments: 'Tedaviler', offers: 'Fiyatlar', includes: 'Dahil',
      open: 'Kliniği görüntüle', compare: 'Fiyatları karşılaştır', back: 'Sonuçlara dön', website: 'Web sitesi', experience: '{n} yıllık deneyim',
      priced: '{n} fiyat', from: 'en düşük {p}', km: '{d} km uzakta', abroad: 'yurt dışında',
      prev: 'Önceki sayfa', next: 'Sonraki sayfa', page: 'Sayfa {p} / {n}', pages: 'Sonuç sayfaları',
      offer: 'Fiyat', facility: 'Klinik', doctor: 'Doktor', treatment: 'Tedavi',
      errOrigin: 'Bu web sitesinin bu CareAtlas aramasını kullanma izni yok (arama anahtarı bu adrese izin vermiyor).',
      errKey: 'Bu CareAtlas arama anahtarı geçersiz.',
      errRate: 'Şu anda çok fazla arama var. {s} saniye sonra tekrar deneyin.', errRateSoon: 'Şu anda çok fazla arama var. Birazdan tekrar deneyin.',
      errNetwork: 'Arama hizmetine ulaşılamıyor. Bağlantıyı kontrol edip tekrar deneyin.',
      errServer: 'Arama başarısız oldu: {m}', retry: 'Tekrar dene', by: 'CareAtlas ile arama'
    }
  };
  // Searches offered when one finds nothing and autocomplete had nothing either.
  var EXAMPLES = ['knee replacement', 'hip replacement', 'IVF', 'rhinoplasty', 'dental implant'];

  var CSS = [
    // The page's rules reach the host element (and through it, inherited
    // properties): reset them. Inside the shadow root, !important wins.
    // Full width even as a flex or grid item of the clinic's layout.
    ':host{all:initial!important;display:block!important;width:100%!important;min-width:0!important;contain:content!important}',
    ':host([hidden]){display:none!important}',
    '.ca{--a:var(--ca-accent,#0b5cad);--t:var(--ca-text,#1b1f24);--bg:var(--ca-background,#fff);--m:#4a5360;--b:#c4ccd6;--s:#f2f5f8;',
    'font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--t);background:var(--bg);',
    'text-align:start;padding:12px;container-type:inline-size;box-sizing:border-box}',
    '*,*::before,*::after{box-sizing:inherit;margin:0;padding:0;font:inherit;color:inherit;letter-spacing:normal;text-transform:none}',
    '.t1{font-size:20px;font-weight:700;line-height:1.3}.t2{font-size:16px;font-weight:650;line-height:1.35}',
    'ol,ul{list-style:none}a{color:var(--a)}mark{background:#fff1a8;color:#1b1f24;border-radius:2px;padding:0 1px}',
    'button,select,input{font:inherit;color:inherit;background:none;border:0}',
    'button{cursor:pointer}button:disabled{cursor:default;opacity:.6}',
    ':focus-visible{outline:2px solid var(--a);outline-offset:2px}',
    '.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}',
    '.bar{display:flex;gap:8px;align-items:stretch}',
    '.combo{position:relative;flex:1;min-width:0}',
    '.q{display:block;width:100%;height:44px;padding:0 12px;border:1px solid var(--b);border-radius:8px;background:var(--bg);font-size:16px;line-height:42px}',
    '.q:focus{border-color:var(--a);outline:2px solid var(--a);outline-offset:0}',
    '.go{height:44px;padding:0 18px;border-radius:8px;background:var(--a);color:#fff;font-weight:600}',
    '.list{position:absolute;z-index:10;left:0;right:0;top:48px;background:var(--bg);border:1px solid var(--b);border-radius:8px;',
    'box-shadow:0 6px 20px rgba(0,0,0,.12);padding:4px;max-height:340px;overflow:auto}',
    '.list[hidden],[hidden]{display:none!important}',
    '.opt{display:flex;gap:8px;align-items:baseline;padding:7px 9px;border-radius:6px;cursor:pointer}',
    '.opt[aria-selected=true],.opt:hover{background:var(--s)}',
    '.opt .k{font-size:12px;color:var(--m);min-width:64px}.opt .d{font-size:13px;color:var(--m);margin-inline-start:auto}',
    '.status{min-height:22px;margin:10px 0 6px;color:var(--m);font-size:14px}',
    '.err{margin:10px 0;padding:10px 12px;border:1px solid #b42318;border-radius:8px;background:#fef3f2;color:#7a1a12}',
    '.err button{margin-top:8px;text-decoration:underline;color:#7a1a12}',
    '.main{display:grid;gap:16px;grid-template-columns:1fr}',
    '@container (min-width:700px){.main{grid-template-columns:200px 1fr}.fold{display:none}}',
    // On a narrow page the filters fold behind one button, under the box.
    '@container (max-width:699px){.side:not(.open)>:not(.fold){display:none}.opt .d{display:none}}',
    '.fold{align-self:flex-start;padding:6px 12px;border:1px solid var(--b);border-radius:6px}',
    '.t1:focus{outline:none}',
    '.side{display:flex;flex-direction:column;gap:14px;font-size:14px}',
    '.gh{font-size:13px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;color:var(--m);margin-bottom:4px}',
    '.fv{display:flex;width:100%;justify-content:space-between;gap:8px;padding:4px 6px;border-radius:6px;text-align:start}',
    '.fv:hover{background:var(--s)}.fv[aria-pressed=true]{background:var(--a);color:#fff}',
    '.fv .n{color:inherit;opacity:.85;font-variant-numeric:tabular-nums}',
    '.sort{display:block;width:100%;margin-top:2px;height:34px;padding:0 6px;border:1px solid var(--b);border-radius:6px;background:var(--bg)}',
    '.link{color:var(--a);text-decoration:underline;text-underline-offset:2px;text-align:start}',
    '.res{min-width:0}.res[aria-busy=true] .hits{opacity:.55;transition:opacity .2s .15s}',
    '.note{font-size:14px;color:var(--m);margin-bottom:8px}',
    '.hits{display:flex;flex-direction:column;gap:10px}',
    '.hit,.post{border:1px solid var(--b);border-radius:10px;padding:12px 14px;background:var(--bg)}',
    '.post{border-color:var(--a);background:var(--s);margin-bottom:10px}',
    '.badge{display:inline-block;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.04em;color:var(--a);margin-bottom:2px}',
    '.kind{font-size:12px;font-weight:600;color:var(--m);text-transform:uppercase;letter-spacing:.04em}',
    '.meta{font-size:14px;color:var(--m);margin-top:3px}.meta b{color:var(--t);font-weight:600}',
    '.row{display:flex;flex-wrap:wrap;gap:4px 14px;align-items:baseline}',
    '.price{font-size:18px;font-weight:700;color:var(--t)}.orig{font-size:13px;color:var(--m)}',
    '.why{font-size:13px;color:var(--m);margin-top:4px}',
    '.tags{display:flex;flex-wrap:wrap;gap:4px;margin-top:6px}.tag{font-size:12px;padding:1px 7px;border-radius:10px;background:var(--s);color:var(--m)}',
    '.pager{display:flex;gap:12px;align-items:center;justify-content:center;margin-top:14px;font-size:14px}',
    '.pager button{padding:6px 12px;border:1px solid var(--b);border-radius:6px}',
    '.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}.chip{padding:4px 10px;border:1px solid var(--b);border-radius:14px}',
    '.detail .t1{margin:8px 0 4px}.detail .t2{margin:14px 0 6px}.detail li{padding:6px 0;border-top:1px solid var(--b)}',
    '.desc{margin-top:8px}',
    '.by{margin-top:12px;font-size:12px;color:var(--m);text-align:end}'
  ].join('');

  var TYPE_PLURAL = { offer: 'offers', facility: 'clinics', doctor: 'doctors', treatment: 'treatments' };
  var instances = 0;

  // --- small DOM helpers ------------------------------------------------

  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs) {
      var v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    add(el, kids);
    return el;
  }
  function add(el, kids) {
    if (kids == null || kids === false) return el;
    if (Array.isArray(kids)) kids.forEach(function (k) { add(el, k); });
    else el.appendChild(typeof kids === 'object' ? kids : document.createTextNode(String(kids)));
    return el;
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

  var ENTITIES = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#34;': '"', '&#39;': "'" };
  // marked turns the API's highlight (HTML-escaped text with <mark>) into
  // nodes without innerHTML, so nothing the server sends is parsed as HTML.
  function marked(s) {
    var out = [], on = false;
    String(s).split(/(<\/?mark>)/).forEach(function (part) {
      if (part === '<mark>') on = true;
      else if (part === '</mark>') on = false;
      else if (part) {
        var text = part.replace(/&(amp|lt|gt|quot|#34|#39);/g, function (m) { return ENTITIES[m]; });
        out.push(on ? h('mark', {}, text) : text);
      }
    });
    return out;
  }

  // --- configuration -----------------------------------------------------

  function readConfig(el) {
    var d = el.dataset, cfg = {};
    ['key', 'target', 'lang', 'currency', 'from', 'facility', 'country', 'category', 'type', 'placeholder',
      'perPage', 'posts', 'headingLevel', 'colorAccent', 'colorText', 'colorBackground'].forEach(function (k) {
      if (d[k] != null && d[k] !== '') cfg[k] = d[k];
    });
    return cfg;
  }

  function pageLang(el) {
    var n = el.closest && el.closest('[lang]');
    return (n ? n.getAttribute('lang') : document.documentElement.lang || navigator.language || 'en');
  }
  function uiLang(cfg, el) {
    var l = String(cfg.lang || pageLang(el)).slice(0, 2).toLowerCase();
    return LANGS.indexOf(l) >= 0 ? l : 'en';
  }

  function sessionID() {
    var id = '';
    try { id = window.sessionStorage.getItem(SESSION_KEY) || ''; } catch (e) { /* storage blocked: no cap */ }
    if (!id) {
      var b = new Uint8Array(12);
      window.crypto.getRandomValues(b);
      id = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
      try { window.sessionStorage.setItem(SESSION_KEY, id); } catch (e) { /* kept for this page only */ }
    }
    return id;
  }

  // --- the API -------------------------------------------------------------

  function Failure(kind, message, code) {
    var e = new Error(message || kind);
    e.kind = kind;
    e.code = code;
    return e;
  }
  function retryAfter(v) {
    if (!v) return null;
    var s = Number(v);
    if (!isFinite(s)) s = (Date.parse(v) - Date.now()) / 1000;
    return isFinite(s) ? Math.max(1, Math.ceil(s)) : null;
  }

  // call sends one request to HOST. The key rides as a query parameter on
  // GETs (a simple request: no CORS preflight) and as a header on POSTs.
  function call(cfg, method, path, params, signal) {
    var p = new URLSearchParams(params || '');
    if (cfg.key && method === 'GET') p.set('key', cfg.key);
    var qs = p.toString(), headers = {};
    if (cfg.key && method !== 'GET') headers['X-CareAtlas-Key'] = cfg.key;
    var init = { method: method, headers: headers, credentials: 'omit', signal: signal, keepalive: method === 'POST' };
    return fetch(HOST + path + (qs ? '?' + qs : ''), init).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (body) {
        if (res.ok) return body;
        var err = (body && body.error) || {};
        var kind = res.status === 403 ? 'origin' : res.status === 401 ? 'key' : res.status === 429 ? 'rate' : 'server';
        var f = Failure(kind, err.message || res.statusText, err.code);
        f.status = res.status;
        f.retry = retryAfter(res.headers.get('Retry-After')) || retryAfter(err.retry_after);
        throw f;
      });
    }, function (e) {
      if (e && e.name === 'AbortError') throw e;
      // A refused origin gets no CORS headers, so the browser shows it as a
      // failed fetch. If the server answers an opaque probe, it is reachable:
      // it refused this page.
      return fetch(HOST + '/healthz', { mode: 'no-cors', credentials: 'omit', cache: 'no-store' }).then(function () {
        throw Failure('origin', String(e && e.message));
      }, function () {
        throw Failure('network', String(e && e.message));
      });
    });
  }

  // --- one widget --------------------------------------------------------

  function Widget(host, cfg) {
    var self = this;
    this.id = 'ca' + (++instances);
    this.host = host;
    this.cfg = cfg;
    this.lang = uiLang(cfg, host);
    this.T = TEXT[this.lang];
    this.locale = cfg.lang || pageLang(host) || this.lang;
    try { new Intl.NumberFormat(this.locale); } catch (e) { this.locale = this.lang; }
    this.perPage = Math.min(100, Math.max(1, parseInt(cfg.perPage, 10) || 10));
    this.level = Math.min(5, Math.max(1, parseInt(cfg.headingLevel, 10) || 2));
    this.state = { q: '', page: 1, sort: 'relevance', f: { type: [], country: [], category: [] }, price: null, near: null };
    this.seq = 0;
    this.sugSeq = 0;
    this.sugs = [];
    this.active = -1;
    this.last = null;

    var root = host.attachShadow({ mode: 'open' });
    if (root.adoptedStyleSheets && window.CSSStyleSheet && 'replaceSync' in CSSStyleSheet.prototype) {
      // A constructed sheet is not subject to the page's CSP style-src.
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } else {
      root.appendChild(h('style', {}, CSS));
    }
    this.root = root;
    this.build();
    // A clinic's own widget lists its offers at once: shown (with posts),
    // but not recorded as a search, as nobody searched.
    if (cfg.facility) this.run(true, false);
    host.addEventListener('careatlas:search', function (e) { self.search(e.detail && e.detail.q); });
  }

  // hd is a heading, level offset below the widget's own (data-heading-level,
  // default 2: the widget usually sits under the page's h1).
  Widget.prototype.hd = function (offset, attrs, kids) {
    return h('h' + Math.min(6, this.level + offset), attrs, kids);
  };

  Widget.prototype.t = function (key, vars) {
    var s = this.T[key] || TEXT.en[key] || key;
    return s.replace(/\{(\w)\}/g, function (_, k) { return vars && vars[k] != null ? vars[k] : ''; });
  };

  Widget.prototype.build = function () {
    var self = this, T = this.T, id = this.id, cfg = this.cfg;
    var wrap = h('section', { class: 'ca', lang: this.lang, part: 'root', 'aria-label': T.label });
    if (cfg.colorAccent) wrap.style.setProperty('--ca-accent', cfg.colorAccent);
    if (cfg.colorText) wrap.style.setProperty('--ca-text', cfg.colorText);
    if (cfg.colorBackground) wrap.style.setProperty('--ca-background', cfg.colorBackground);

    this.input = h('input', {
      id: id + '-q', class: 'q', type: 'text', role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false',
      'aria-controls': id + '-list', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', enterkeyhint: 'search',
      placeholder: cfg.placeholder || T.placeholder, maxlength: '500',
      oninput: function () { self.typed(); },
      onkeydown: function (e) { self.key(e); },
      onblur: function () { setTimeout(function () { self.closeList(); }, 120); }
    });
    this.list = h('ul', { id: id + '-list', class: 'list', role: 'listbox', 'aria-label': T.suggestions, hidden: true });
    var form = h('form', {
      class: 'bar', role: 'search', 'aria-label': T.label,
      onsubmit: function (e) { e.preventDefault(); self.commit(); }
    }, [
      h('label', { class: 'sr', for: id + '-q' }, T.label),
      h('div', { class: 'combo' }, [this.input, this.list]),
      h('button', { class: 'go', type: 'submit' }, T.search)
    ]);
    this.status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.err = h('div', { class: 'err', role: 'alert', hidden: true });
    this.side = h('div', { class: 'side', hidden: true });
    this.res = h('div', { class: 'res', 'aria-busy': 'false' });
    this.main = h('div', { class: 'main' }, [this.side, this.res]);
    this.detail = h('div', { class: 'detail', hidden: true });
    add(wrap, [form, this.status, this.err, this.main, this.detail, h('p', { class: 'by' }, T.by)]);
    this.root.appendChild(wrap);
  };

  // --- typing and suggestions ----------------------------------------------

  // typed searches as the visitor types, without recording those searches
  // or asking for posts; a search left on screen for SETTLE_MS is the one
  // the visitor settled on, and is run again to record it and show posts.
  Widget.prototype.typed = function () {
    var self = this, q = this.input.value.trim();
    this.state.q = q;
    this.state.page = 1;
    this.stopTimers();
    if (q.length < SUGGEST_FROM) {
      this.closeList();
      if (!q) { this.seq++; this.idle(); }
      return;
    }
    this.suggest(q);
    this.timer = setTimeout(function () { self.run(false); }, DEBOUNCE_MS);
    this.settleTimer = setTimeout(function () { self.run(true); }, SETTLE_MS);
  };

  Widget.prototype.stopTimers = function () {
    clearTimeout(this.timer);
    clearTimeout(this.settleTimer);
  };

  Widget.prototype.suggest = function (q) {
    var self = this, seq = ++this.sugSeq;
    call(this.cfg, 'GET', '/v1/suggest', { q: q, limit: '8' }).then(function (res) {
      if (seq !== self.sugSeq || self.input.value.trim() !== q) return;
      var sugs = (res && res.suggestions) || [];
      // A clinic's own search suggests treatments, not other providers.
      if (self.cfg.facility) sugs = sugs.filter(function (s) { return s.type === 'treatment'; });
      self.showList(sugs);
    }, function () { /* suggestions are a nicety: the search reports errors */ });
  };

  Widget.prototype.showList = function (sugs) {
    var self = this, T = this.T;
    this.sugs = sugs;
    this.active = -1;
    clear(this.list);
    sugs.forEach(function (s, i) {
      self.list.appendChild(h('li', {
        id: self.id + '-opt-' + i, class: 'opt', role: 'option', 'aria-selected': 'false',
        'data-type': s.type, 'data-id': s.id,
        onmousedown: function (e) { e.preventDefault(); },
        onclick: function () { self.choose(i); }
      }, [h('span', { class: 'k' }, T[s.type] || s.type), h('span', {}, s.name), s.detail ? h('span', { class: 'd' }, s.detail) : null]));
    });
    var open = sugs.length > 0 && this.root.activeElement === this.input;
    this.list.hidden = !open;
    this.input.setAttribute('aria-expanded', String(open));
    this.input.removeAttribute('aria-activedescendant');
  };

  Widget.prototype.closeList = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  };

  Widget.prototype.move = function (delta) {
    var n = this.sugs.length;
    if (!n) return;
    if (this.list.hidden) {
      this.list.hidden = false;
      this.input.setAttribute('aria-expanded', 'true');
    }
    // -1 is the text box itself: moving past either end returns to it.
    var next = this.active + delta;
    if (next < -1) next = n - 1;
    if (next >= n) next = -1;
    this.setActive(next);
  };

  Widget.prototype.setActive = function (i) {
    var opts = this.list.children;
    if (this.active >= 0 && opts[this.active]) opts[this.active].setAttribute('aria-selected', 'false');
    this.active = i;
    if (i >= 0) {
      opts[i].setAttribute('aria-selected', 'true');
      this.input.setAttribute('aria-activedescendant', opts[i].id);
      opts[i].scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  };

  Widget.prototype.key = function (e) {
    if (e.isComposing) return;
    var open = !this.list.hidden;
    switch (e.key) {
      case 'ArrowDown': e.preventDefault(); this.move(1); break;
      case 'ArrowUp': e.preventDefault(); this.move(-1); break;
      case 'Enter':
        if (open && this.active >= 0) { e.preventDefault(); this.choose(this.active); }
        break;
      case 'Escape':
        if (open) { e.preventDefault(); this.closeList(); } else if (this.input.value) { e.preventDefault(); this.input.value = ''; this.typed(); }
        break;
      case 'Tab': this.closeList(); break;
    }
  };

  Widget.prototype.choose = function (i) {
    var s = this.sugs[i], typed = this.state.q;
    if (!s) return;
    this.input.value = s.name;
    this.state.q = s.name;
    this.state.page = 1;
    if (s.type === 'facility') {
      this.closeList();
      this.last = null;
      this.openFacility(s.id, typed);
      return;
    }
    this.commit();
  };

  // --- searching -------------------------------------------------------------

  // search runs q as if the visitor typed it and pressed Enter.
  Widget.prototype.search = function (q) {
    if (q != null) this.input.value = String(q);
    this.state.q = this.input.value.trim();
    this.state.page = 1;
    this.commit();
  };

  Widget.prototype.commit = function () {
    this.stopTimers();
    this.sugSeq++; // suggestions still on their way would reopen the list
    this.closeList();
    this.run(true);
  };

  // params are a search's parameters. A committed search is one the
  // visitor asked for (Enter, a suggestion, a filter, a page) or left on
  // screen: it asks for posts, and is recorded unless record is false. As
  // the visitor types, searches ask for no posts (a post counts as seen
  // when it is shown, and a keystroke's results are not) and say
  // record=false, so half-typed words do not become a provider's keywords.
  Widget.prototype.params = function (committed, record) {
    var s = this.state, cfg = this.cfg, p = new URLSearchParams();
    if (s.q) p.set('q', s.q);
    var types = s.f.type.length ? s.f.type : cfg.type ? [cfg.type] : [];
    if (types.length) p.set('type', types.join(','));
    var countries = s.f.country.length ? s.f.country : cfg.country ? [cfg.country] : [];
    if (countries.length) p.set('country', countries.join(','));
    (s.f.category.length ? s.f.category : cfg.category ? [cfg.category] : []).forEach(function (c) { p.append('category', c); });
    if (cfg.facility) p.set('facility', cfg.facility);
    if (s.price) {
      if (s.price.min != null) p.set('price_min', s.price.min);
      if (s.price.max != null) p.set('price_max', s.price.max);
    }
    if (cfg.currency) p.set('currency', cfg.currency);
    if (cfg.from) p.set('from', cfg.from);
    if (cfg.lang) p.set('lang', cfg.lang);
    if (s.near) p.set('near', s.near);
    if (s.sort !== 'relevance') p.set('sort', s.sort);
    p.set('facets', FACETS.join(','));
    if (s.page > 1) p.set('page', s.page);
    if (this.perPage !== 10) p.set('per_page', this.perPage);
    // Posts go with searches the visitor asked for, not with every
    // keystroke, so a post is not counted as seen for half-typed words.
    if (committed) {
      if (cfg.posts != null) p.set('posts', cfg.posts);
      p.set('session', sessionID());
      if (record === false) p.set('record', 'false');
    } else {
      p.set('posts', '0');
      p.set('record', 'false');
    }
    return p;
  };

  Widget.prototype.filtered = function () {
    var f = this.state.f;
    return f.type.length + f.country.length + f.category.length > 0 || this.state.price != null;
  };

  Widget.prototype.run = function (committed, record) {
    var self = this;
    if (committed) clearTimeout(this.settleTimer);
    if (!this.state.q && !this.filtered() && !this.cfg.facility) {
      ++this.seq;
      if (this.ctl) this.ctl.abort();
      this.idle();
      return;
    }
    // The search on screen (or on its way), already recorded, is not
    // recorded (or its posts counted) again: Enter after the results
    // settled changes nothing.
    var key = this.params(false).toString(), recorded = committed && record !== false;
    if (recorded && (this.shown === key || this.sending === key) && this.main.hidden === false && this.err.hidden) return;
    this.sending = recorded ? key : null;
    var seq = ++this.seq;
    if (this.ctl) this.ctl.abort();
    this.ctl = window.AbortController ? new AbortController() : null;
    this.res.setAttribute('aria-busy', 'true');
    this.status.textContent = this.T.searching;
    var q = this.state.q, sent = performance.now();
    call(this.cfg, 'GET', '/v1/search', this.params(committed, record), this.ctl && this.ctl.signal).then(function (res) {
      if (seq !== self.seq) return;
      self.sending = null;
      self.fail(null);
      self.render(res, q, performance.now() - sent);
      self.shown = recorded ? key : null;
    }, function (e) {
      if (seq !== self.seq || e.name === 'AbortError') return;
      self.sending = null;
      self.fail(e);
    });
  };

  Widget.prototype.idle = function () {
    this.shown = this.sending = null;
    this.res.setAttribute('aria-busy', 'false');
    this.status.textContent = '';
    clear(this.res);
    this.side.hidden = true;
    this.fail(null);
  };

  Widget.prototype.emit = function (name, detail) {
    this.host.dispatchEvent(new CustomEvent('careatlas:' + name, { bubbles: true, detail: detail }));
  };

  // --- errors --------------------------------------------------------------

  Widget.prototype.fail = function (e) {
    var self = this, T = this.T;
    clearTimeout(this.retryTimer);
    clear(this.err);
    this.err.hidden = !e;
    if (!e) return;
    this.shown = null;
    this.res.setAttribute('aria-busy', 'false');
    this.status.textContent = '';
    clear(this.res);
    this.side.hidden = true;
    this.closeList();
    var msg;
    switch (e.kind) {
      case 'origin': msg = T.errOrigin; break;
      case 'key': msg = T.errKey; break;
      case 'rate': msg = e.retry ? this.t('errRate', { s: e.retry }) : T.errRateSoon; break;
      case 'network': msg = T.errNetwork; break;
      default: msg = this.t('errServer', { m: e.message });
    }
    this.err.setAttribute('data-error', e.kind);
    add(this.err, h('p', {}, msg));
    if (e.kind !== 'origin' && e.kind !== 'key') {
      var btn = h('button', { type: 'button', onclick: function () { self.run(true); } }, T.retry);
      if (e.kind === 'rate' && e.retry) {
        btn.disabled = true;
        this.retryTimer = setTimeout(function () { btn.disabled = false; }, e.retry * 1000);
      }
      add(this.err, btn);
    }
    this.emit('error', { kind: e.kind, status: e.status || 0, code: e.code || '', retry: e.retry || null });
  };

  // --- results -------------------------------------------------------------

  Widget.prototype.render = function (res, q, fetchMS) {
    var self = this, T = this.T, start = performance.now();
    this.last = res;
    this.detail.hidden = true;
    this.main.hidden = false;
    this.res.setAttribute('aria-busy', 'false');
    this.status.textContent = res.total === 1 ? T.result1 : this.t('results', { n: this.num(res.total) });
    clear(this.res);

    var notes = [];
    var reads = (res.expansions || []).filter(function (x) { return x.kind === 'typo' || x.kind === 'synonym'; });
    if (reads.length) {
      notes.push(h('p', { class: 'note' }, [T.also + ': ', reads.map(function (x, i) {
        return [i ? '; ' : '', x.to.join(', '), ' (' + (x.kind === 'typo' ? T.typo : T.synonym) + ')'];
      })]));
    }
    // What order and place words became ("Turkey", "Lowest price"), each a
    // chip that searches again without its words.
    var intents = (res.expansions || []).filter(function (x) { return x.kind !== 'typo' && x.kind !== 'synonym' && x.kind !== 'ignored'; });
    if (intents.length) {
      notes.push(h('p', { class: 'note intents' }, intents.map(function (x) {
        var label = x.param === 'sort' ? (T[x.values[0]] || x.values[0]) : x.to.join(', ');
        return h('button', { type: 'button', class: 'tag', 'data-intent': x.kind, 'aria-label': self.t('remove', { x: label }),
          onclick: function () { self.search(x.without); } }, label + ' ×');
      })));
    }
    if (res.currency && res.rates_as_of) notes.push(h('p', { class: 'note' }, this.t('rates', { d: res.rates_as_of })));
    add(this.res, notes);

    if (res.posts && res.posts.length) {
      add(this.res, h('section', { class: 'posts', 'aria-label': T.posts }, res.posts.map(function (p) { return self.post(p); })));
    }
    if (!res.hits.length) {
      add(this.res, this.empty(res, q));
    } else {
      // Why a lay query matched: the treatment's own hit says which lay
      // name it matched; its offers on the page say the same.
      var lay = {};
      res.hits.forEach(function (hit) {
        var hl = hit.highlight || {};
        if (hit.type === 'treatment' && (hl.lay_names || hl['translations.' + self.lang + '.name'])) lay[hit.id] = hl.lay_names || hl['translations.' + self.lang + '.name'];
      });
      add(this.res, h('ol', { class: 'hits' }, res.hits.map(function (hit) { return self.hit(hit, lay); })));
      add(this.res, this.pager(res));
    }
    this.facets(res);
    this.emit('results', {
      q: q, total: res.total, page: res.page, hits: res.hits.map(function (x) { return x.type + ':' + x.id; }),
      ms: { fetch: Math.round(fetchMS), render: Math.round(performance.now() - start) }
    });
  };

  Widget.prototype.empty = function (res, q) {
    var self = this, T = this.T, out = [h('p', {}, this.t('none', { q: q || '' }))];
    if (res.did_you_mean) {
      out.push(h('p', { class: 'dym' }, [T.dym + ' ', h('button', {
        type: 'button', class: 'link', 'data-q': res.did_you_mean.q,
        onclick: function () { self.search(res.did_you_mean.q); }
      }, res.did_you_mean.q), '? (' + this.t('dymCount', { n: this.num(res.did_you_mean.total) }) + ')']));
    } else {
      var tries = this.sugs.length ? this.sugs.map(function (s) { return s.name; }) : EXAMPLES;
      out.push(h('p', {}, T.tryThese), h('div', { class: 'chips' }, tries.slice(0, 5).map(function (t) {
        return h('button', { type: 'button', class: 'chip', onclick: function () { self.search(t); } }, t);
      })));
    }
    return h('div', { class: 'empty' }, out);
  };

  // fmt returns an Intl formatter, made once per kind and options: making
  // one costs more than rendering a hit.
  Widget.prototype.fmt = function (Kind, opts) {
    var key = Kind.name + JSON.stringify(opts), f = (this.fmts = this.fmts || {})[key];
    if (!f) {
      try { f = new Intl[Kind.name](this.locale, opts); } catch (e) { f = null; }
      this.fmts[key] = f;
    }
    return f;
  };

  Widget.prototype.num = function (n) {
    var f = this.fmt(Intl.NumberFormat, {});
    return f ? f.format(n) : String(n);
  };

  Widget.prototype.money = function (m) {
    var digits = m.amount >= 100 ? 0 : 2;
    var f = this.fmt(Intl.NumberFormat, { style: 'currency', currency: m.currency, minimumFractionDigits: digits, maximumFractionDigits: digits });
    return f ? f.format(m.amount) : this.num(m.amount) + ' ' + m.currency;
  };

  Widget.prototype.region = function (code) {
    var f = Intl.DisplayNames && this.fmt(Intl.DisplayNames, { type: 'region' });
    try { return (f && f.of(code)) || code; } catch (e) { return code; }
  };
  Widget.prototype.language = function (code) {
    var f = Intl.DisplayNames && this.fmt(Intl.DisplayNames, { type: 'language' });
    try { return (f && f.of(code)) || code; } catch (e) { return code; }
  };

  Widget.prototype.rating = function (r, n) {
    if (r == null) return null;
    var T = this.T;
    return h('span', { class: 'rating' }, [h('span', { 'aria-hidden': 'true' }, '★ ' + r.toFixed(1)), h('span', { class: 'sr' }, this.t('ratingOf', { r: r })),
      n ? ' · ' + (n === 1 ? T.review1 : this.t('reviews', { n: this.num(n) })) : '']);
  };

  // priceOf shows the price in the visitor's currency with the original
  // beside it, a range, or "on request".
  Widget.prototype.priceOf = function (hit) {
    var T = this.T, p = hit.price, c = hit.converted_price, r = hit.price_range;
    if (p) {
      var shown = c || p;
      return h('span', { class: 'row' }, [
        h('span', { class: 'price', 'data-amount': shown.amount, 'data-currency': shown.currency }, this.money(shown)),
        c && c.currency !== p.currency ? h('span', { class: 'orig' }, this.money(p) + ' ' + T.original) : null
      ]);
    }
    if (r) {
      var cr = hit.converted_price_range, shownR = cr || r, self = this;
      var span = function (x) { return self.money({ amount: x.min, currency: x.currency }) + ' – ' + self.money({ amount: x.max, currency: x.currency }); };
      return h('span', { class: 'row' }, [
        h('span', { class: 'price', 'data-amount': shownR.min, 'data-currency': shownR.currency }, span(shownR)),
        cr && cr.currency !== r.currency ? h('span', { class: 'orig' }, span(r) + ' ' + T.original) : null
      ]);
    }
    var tp = hit.typical_price;
    if (tp) {
      var typical = tp.converted || tp;
      return h('span', { class: 'row' }, [h('span', { class: 'orig' }, T.onRequest),
        h('span', { class: 'orig typical', 'data-country': tp.country, title: tp.source },
          this.t('typical', { c: (hit.facility && hit.facility.country_name) || tp.country, p: this.money(typical) }))]);
    }
    return h('span', { class: 'orig' }, T.onRequest);
  };

  // spanFrom is "from" the lowest price of a record's offers, in the
  // visitor's currency when the API converted it.
  Widget.prototype.spanFrom = function (hit) {
    var sp = hit.converted_price_span || hit.price_span_usd;
    return sp ? h('span', { class: 'meta' }, this.t('from', { p: this.money({ amount: sp.min, currency: sp.currency || 'USD' }) })) : null;
  };

  Widget.prototype.place = function (f) {
    if (!f) return '';
    return [f.city, f.country_name || f.country].filter(Boolean).join(', ');
  };

  Widget.prototype.facilityButton = function (f) {
    var self = this;
    return h('button', { type: 'button', class: 'link', 'data-facility-id': f.id, onclick: function () { self.openFacility(f.id); } }, f.name);
  };

  Widget.prototype.tags = function (list, label, fmt) {
    if (!list || !list.length) return null;
    var self = this;
    return h('div', { class: 'tags', 'aria-label': label, role: 'group' }, list.map(function (x) { return h('span', { class: 'tag' }, fmt ? fmt.call(self, x) : x); }));
  };

  Widget.prototype.hit = function (hit, lay) {
    var T = this.T, self = this, hl = hit.highlight || {}, f = hit.facility, kids;
    var title = function (field) { return self.hd(0, { class: 't2' }, hl[field] ? marked(hl[field]) : hit.name); };
    var dist = hit.distance_km != null ? this.t('km', { d: this.num(hit.distance_km) }) : null;
    if (hit.abroad) dist = dist ? dist + ' · ' + T.abroad : T.abroad;
    // Why it is here: what it matched, when that is not its title (a lay
    // name or translation the patient typed).
    var why = null, m = hit.matched;
    if (m && !/^(name|treatment\.name)$/.test(m.field)) why = m.text;
    else if (!m && hit.type === 'offer' && hit.treatment && lay[hit.treatment.id]) why = lay[hit.treatment.id];
    else if (!m && hit.type === 'treatment') why = lay[hit.id];
    switch (hit.type) {
      case 'offer':
        kids = [title('treatment.name'),
          h('p', { class: 'meta' }, [f ? this.facilityButton(f) : null, f ? ' · ' + this.place(f) : '', dist ? ' · ' + dist : '']),
          h('div', { class: 'row' }, [this.priceOf(hit), f ? this.rating(f.rating, f.review_count) : null]),
          hit.includes ? h('p', { class: 'meta' }, T.includes + ': ' + hit.includes) : null,
          hit.doctors && hit.doctors.length ? h('p', { class: 'meta' }, T.doctors + ': ' + hit.doctors.map(function (d) { return d.name; }).join(', ')) : null,
          f ? this.tags(f.accreditations, T.accreditations) : null,
          f ? this.tags(f.languages, T.languages, this.language) : null];
        break;
      case 'facility':
        kids = [this.hd(0, { class: 't2' }, h('button', { type: 'button', class: 'link', onclick: function () { self.openFacility(hit.id); } }, hl.name ? marked(hl.name) : hit.name)),
          h('p', { class: 'meta' }, [this.place(hit), dist ? ' · ' + dist : '']),
          h('div', { class: 'row' }, [this.rating(hit.rating, hit.review_count),
            hit.offer_count ? h('span', { class: 'meta' }, this.t('priced', { n: hit.offer_count })) : null,
            this.spanFrom(hit)]),
          this.tags(hit.accreditations, T.accreditations), this.tags(hit.languages, T.languages, this.language)];
        break;
      case 'doctor':
        kids = [title('name'),
          h('p', { class: 'meta' }, [(hl.specialties ? marked(hl.specialties) : (hit.specialties || []).join(', ')),
            hit.years_experience ? ' · ' + this.t('experience', { n: hit.years_experience }) : '']),
          f ? h('p', { class: 'meta' }, [this.facilityButton(f), ' · ' + this.place(f), dist ? ' · ' + dist : '']) : null,
          this.rating(hit.rating, hit.review_count), this.tags(hit.languages, T.languages, this.language)];
        break;
      default: // treatment
        kids = [title('name'),
          h('p', { class: 'meta' }, [hit.category || '', hit.code ? ' · ' + hit.code : '']),
          h('div', { class: 'row' }, [
            this.spanFrom(hit),
            hit.offer_count ? h('button', { type: 'button', class: 'link', onclick: function () { self.compare(hit); } }, T.compare + ' (' + hit.offer_count + ')') : null])];
    }
    if (why) kids.push(h('p', { class: 'why' }, [T.matched + ': ', marked(why)]));
    return h('li', { class: 'hit', 'data-hit-type': hit.type, 'data-hit-id': hit.id },
      [h('span', { class: 'kind' }, T[hit.type] || hit.type), kids]);
  };

  Widget.prototype.compare = function (t) {
    this.state.f.type = ['offer'];
    this.search(t.name);
  };

  Widget.prototype.post = function (p) {
    var self = this, T = this.T;
    return h('article', { class: 'post', 'data-post-id': p.id, 'aria-label': T.post + ': ' + p.title }, [
      h('p', { class: 'badge' }, T.post),
      this.hd(0, { class: 't2' }, h('button', { type: 'button', class: 'link', onclick: function () { self.clickPost(p); } }, p.title)),
      p.text ? h('p', {}, p.text) : null,
      p.reasons && p.reasons.length ? h('p', { class: 'why' }, T.why + ' ' + p.reasons.join(' · ')) : null
    ]);
  };

  Widget.prototype.clickPost = function (p) {
    var self = this;
    call(this.cfg, 'POST', '/v1/posts/' + p.id + '/click').then(function () {
      self.emit('post-click', { id: p.id, counted: true });
    }, function (e) {
      // Counting is the server's business; the visitor still gets the page.
      self.emit('post-click', { id: p.id, counted: false, status: e.status || 0, code: e.code || e.kind });
    });
    if (p.facility_id) this.openFacility(p.facility_id);
  };

  Widget.prototype.pager = function (res) {
    var self = this, T = this.T;
    var pages = Math.ceil(Math.min(res.total, MAX_WINDOW) / res.per_page);
    if (pages <= 1) return null;
    var go = function (n) { return function () { self.state.page = n; self.run(true); }; };
    return h('nav', { class: 'pager', 'aria-label': T.pages }, [
      h('button', { type: 'button', disabled: res.page <= 1, onclick: go(res.page - 1), 'data-page': 'prev' }, T.prev),
      h('span', {}, this.t('page', { p: res.page, n: pages })),
      h('button', { type: 'button', disabled: res.page >= pages, onclick: go(res.page + 1), 'data-page': 'next' }, T.next)
    ]);
  };

  // --- facets and sort ---------------------------------------------------------

  Widget.prototype.facets = function (res) {
    var self = this, T = this.T, s = this.state, side = clear(this.side);
    var facets = res.facets || {};
    var n = s.f.type.length + s.f.country.length + s.f.category.length + (s.price ? 1 : 0);
    var groups = [h('button', {
      type: 'button', class: 'fold', 'aria-expanded': String(side.classList.contains('open')),
      onclick: function (e) { e.currentTarget.setAttribute('aria-expanded', String(side.classList.toggle('open'))); }
    }, T.filters + (n ? ' (' + n + ')' : ''))];
    FACETS.forEach(function (name) {
      var values = (facets[name] || []).filter(function (v) { return v.count > 0; });
      var chosen = name === 'price' ? (s.price ? [s.price.value] : []) : s.f[name];
      chosen.forEach(function (c) {
        if (!values.some(function (v) { return v.value === c; })) values.push({ value: c, count: 0 });
      });
      if (name === 'type' && self.cfg.type) return;
      if (!values.length) return;
      var gid = self.id + '-f-' + name;
      groups.push(h('div', { class: 'group' }, [self.hd(0, { class: 'gh', id: gid }, T[name]),
        h('ul', { 'aria-labelledby': gid }, values.map(function (v) {
          var on = chosen.indexOf(v.value) >= 0;
          return h('li', {}, h('button', {
            type: 'button', class: 'fv', 'data-facet': name, 'data-value': v.value, 'data-count': v.count, 'aria-pressed': String(on),
            onclick: function () { self.toggle(name, v.value); }
          }, [h('span', {}, self.facetLabel(name, v.value, res.currency)), h('span', { class: 'n' }, self.num(v.count))]));
        }))]));
    });
    var sorts = ['relevance', 'price_asc', 'price_desc', 'rating'];
    if (s.near) sorts.push('distance');
    var sel = h('select', { id: this.id + '-sort', class: 'sort', 'aria-labelledby': this.id + '-sort-h', onchange: function () { s.sort = sel.value; s.page = 1; self.run(true); } },
      sorts.map(function (o) { return h('option', { value: o, selected: s.sort === o }, T[o]); }));
    groups.push(h('div', { class: 'group' }, [this.hd(0, { class: 'gh', id: this.id + '-sort-h' }, T.sort), sel]));
    if (navigator.geolocation) {
      groups.push(h('button', { type: 'button', class: 'link', 'aria-pressed': String(!!s.near), onclick: function () { self.locate(); } }, s.near ? T.nearOn : T.near));
    }
    if (this.filtered()) {
      groups.push(h('button', { type: 'button', class: 'link', onclick: function () { self.clearFilters(); } }, T.clear));
    }
    add(side, groups);
    side.hidden = false;
  };

  Widget.prototype.facetLabel = function (name, value, currency) {
    if (name === 'country') return this.region(value);
    if (name === 'type') return this.T[TYPE_PLURAL[value]] || value;
    if (name !== 'price') return value;
    var cur = currency || 'USD', self = this, m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?)|\+)$/.exec(value);
    if (!m) return value;
    var money = function (a) { return self.money({ amount: Number(a), currency: cur }); };
    return m[2] ? money(m[1]) + ' – ' + money(m[2]) : money(m[1]) + '+';
  };

  Widget.prototype.toggle = function (name, value) {
    var s = this.state;
    if (name === 'price') {
      if (s.price && s.price.value === value) s.price = null;
      else {
        var m = /^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?)|\+)$/.exec(value);
        s.price = m ? { value: value, min: Number(m[1]) || null, max: m[2] ? Number(m[2]) : null } : null;
      }
    } else {
      var list = s.f[name], i = list.indexOf(value);
      if (i >= 0) list.splice(i, 1); else list.push(value);
    }
    s.page = 1;
    this.run(true);
  };

  Widget.prototype.clearFilters = function () {
    this.state.f = { type: [], country: [], category: [] };
    this.state.price = null;
    this.state.page = 1;
    this.run(true);
  };

  Widget.prototype.locate = function () {
    var self = this, s = this.state;
    if (s.near) {
      s.near = null;
      if (s.sort === 'distance') s.sort = 'relevance';
      this.run(true);
      return;
    }
    navigator.geolocation.getCurrentPosition(function (pos) {
      // Two decimals (about a kilometre) is enough to sort by distance.
      s.near = pos.coords.latitude.toFixed(2) + ',' + pos.coords.longitude.toFixed(2);
      s.sort = 'distance';
      s.page = 1;
      self.run(true);
    }, function () { self.status.textContent = self.T.nearFail; }, { maximumAge: 600000, timeout: 10000 });
  };

  // --- a facility's page ---------------------------------------------------------

  // openFacility shows a facility's page, and counts it as a view of that
  // provider's page with the search that led there (via; the search box's
  // text by default).
  Widget.prototype.openFacility = function (id, via) {
    var self = this, seq = ++this.seq, cfg = this.cfg;
    this.sending = null;
    if (via == null) via = this.state.q;
    this.stopTimers();
    if (this.ctl) this.ctl.abort();
    this.status.textContent = this.T.searching;
    call(cfg, 'GET', '/v1/facilities/' + encodeURIComponent(id), cfg.currency ? { currency: cfg.currency } : null).then(function (f) {
      if (seq !== self.seq) return;
      self.status.textContent = '';
      self.showFacility(f);
      self.viewed(f.id, via);
    }, function (e) {
      if (seq === self.seq) self.fail(e);
    });
  };

  Widget.prototype.showFacility = function (f) {
    var self = this, T = this.T, d = clear(this.detail);
    var heading = this.hd(0, { class: 't1', tabindex: '-1' }, f.name);
    add(d, [
      h('button', { type: 'button', class: 'link', onclick: function () { self.back(); } }, '← ' + T.back),
      heading,
      h('p', { class: 'meta' }, [f.kind ? f.kind.charAt(0).toUpperCase() + f.kind.slice(1).replace(/_/g, ' ') + ' · ' : '', this.place(f)]),
      this.rating(f.rating, f.review_count),
      f.description ? h('p', { class: 'desc' }, f.description) : null,
      f.address ? h('p', { class: 'meta' }, f.address) : null,
      /^https?:\/\//.test(f.website || '') ? h('p', { class: 'meta' }, h('a', { href: f.website, target: '_blank', rel: 'noopener noreferrer nofollow' }, T.website)) : null,
      this.tags(f.accreditations, T.accreditations), this.tags(f.languages, T.languages, this.language),
      f.offers && f.offers.length ? [this.hd(1, { class: 't2' }, T.offers), h('ul', {}, f.offers.map(function (o) {
        return h('li', { 'data-offer-id': o.id }, [h('div', { class: 'row' }, [h('b', {}, o.name), self.priceOf(o)]),
          o.includes ? h('p', { class: 'meta' }, T.includes + ': ' + o.includes) : null]);
      }))] : null,
      f.doctors && f.doctors.length ? [this.hd(1, { class: 't2' }, T.doctors), h('ul', {}, f.doctors.map(function (doc) { return h('li', {}, doc.name); }))] : null
    ]);
    d.setAttribute('data-facility-id', f.id);
    this.main.hidden = true;
    this.side.hidden = true;
    d.hidden = false;
    heading.focus();
    this.emit('facility', { id: f.id });
  };

  // viewed sends the page-view beacon: what it carries is what the
  // provider's report shows (the search's terms, the patient's country).
  Widget.prototype.viewed = function (id, via) {
    var self = this, cfg = this.cfg, p = { session: sessionID() };
    // The API takes at most 500 bytes of the search.
    if (via) {
      var q = String(via).slice(0, 500);
      while (window.TextEncoder && new TextEncoder().encode(q).length > 500) q = q.slice(0, -1);
      p.q = q;
    }
    if (cfg.from) p.from = cfg.from;
    if (cfg.lang) p.lang = cfg.lang;
    call(cfg, 'POST', '/v1/facilities/' + encodeURIComponent(id) + '/view', p).then(function (r) {
      self.emit('view', { id: id, counted: !!r && r.status === 'counted' });
    }, function (e) {
      // Counting is the server's business; the visitor still has the page.
      self.emit('view', { id: id, counted: false, status: e.status || 0, code: e.code || e.kind });
    });
  };

  Widget.prototype.back = function () {
    this.detail.hidden = true;
    this.main.hidden = false;
    this.input.focus();
    if (this.last) this.side.hidden = false;
    else this.commit();
  };

  // --- mounting ---------------------------------------------------------------

  // mount renders a widget. source is a script tag (its data attributes are
  // the options) or an options object with the same names and, optionally,
  // target: an element or a selector.
  function mount(source) {
    var isTag = source && source.tagName === 'SCRIPT';
    var cfg = isTag ? readConfig(source) : Object.assign({}, source || {});
    var target = cfg.target;
    if (typeof target === 'string') {
      var found = document.querySelector(target);
      if (!found && document.readyState === 'loading') {
        // An async tag can run before the page has its target element.
        return new Promise(function (resolve) {
          document.addEventListener('DOMContentLoaded', function () { resolve(mount(source)); }, { once: true });
        });
      }
      target = found;
    }
    var host = document.createElement('div');
    host.setAttribute('data-careatlas', '');
    if (target && target.appendChild) target.appendChild(host);
    else if (isTag && source.parentNode) source.parentNode.insertBefore(host, source.nextSibling);
    else throw new Error('CareAtlas: no place to render the search (data-target "' + cfg.target + '" not found)');
    var w = new Widget(host, cfg);
    return { element: host, search: function (q) { w.search(q); } };
  }

  // The one global name the widget adds.
  window.CareAtlas = Object.freeze({ version: '1', host: HOST, mount: mount });
  if (script) mount(script);
})(window, document);
