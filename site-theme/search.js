// pm site search: the client of the static index `pm build` writes under search/ (manifest.js,
// files of listed terms x/NNN.js, word and code shards t/NNN.js and c/NNN.js, facet shards
// f/NNN.js, document blocks d/NNN.js; the format, the query rules and the page's DOM contract
// are in docs/search.md). Plain JavaScript, no dependencies, no network beyond the site's own
// files.
//
// Every index file is a script that calls the global pmSearchData(key, data), and files are
// loaded by injecting <script> elements: unlike fetch or XHR, that works from file:// as well as
// from any web server, at the domain root or under a sub-path. Only the shards a query needs are
// loaded, and each only once.
//
// Per-document work uses typed arrays of the collection's size (one slot per doc), never an
// object per doc, so a query over 100,000 postmortems is scored, filtered, ordered and shown in
// tens of milliseconds once its files have arrived (window.pmSearchStats.lastRenderMs).
(function () {
  "use strict";

  var PAGE = 10; // results per page, and per "More results"
  var DEBOUNCE_MS = 120; // wait this long after a keystroke before searching
  var MAX_PREFIX_FILES = 6; // a prefix loads at most this many term files
  var PREFIX_BYTES = 48 * 1024; // and completions of at most this much (but see termFiles)
  var KIB = 1024; // the manifest gives file sizes in KiB
  var FIND_AFTER = 12; // a facet with more values than this gets a box to find one

  // --- Loading index files --------------------------------------------------------------------

  var cache = Object.create(null); // key -> data, for every file that arrived
  var waiting = Object.create(null); // key -> {promise, resolve, reject} while loading
  // loaded: the index files, in arrival order; lastRenderMs: from "files arrived" to "results
  // in the page"; counted: how many times the facet counts were set from the results.
  var stats = { loaded: [], lastRenderMs: 0, counted: 0 };
  window.pmSearchStats = stats;

  // Defined before anything is loaded: every index file calls it.
  window.pmSearchData = function (key, data) {
    key = String(key);
    if (!(key in cache)) {
      cache[key] = data;
      stats.loaded.push(key);
    }
    if (waiting[key]) waiting[key].resolve(data);
  };

  var base = ""; // the site root, relative to this page ("../" on search/index.html)

  function LoadError(key) {
    this.key = key;
    this.message = "cannot load search/" + key + ".js";
  }

  // An index this script cannot read (written by another version of pm).
  function FormatError(message) {
    this.message = message;
  }

  // The data of index file `key` (`manifest`, `t/007`…), loaded once; a failed load is
  // forgotten, so a later query tries again.
  function load(key) {
    if (key in cache) return Promise.resolve(cache[key]);
    if (waiting[key]) return waiting[key].promise;
    var w = {};
    w.promise = new Promise(function (resolve, reject) {
      w.resolve = resolve;
      w.reject = reject;
    });
    waiting[key] = w;
    var script = document.createElement("script");
    script.src = base + "search/" + key + ".js";
    script.async = true;
    function done(ok) {
      script.onload = script.onerror = null;
      if (script.parentNode) script.parentNode.removeChild(script);
      delete waiting[key];
      // A file that loads but does not deliver its key is as broken as a missing one.
      if (ok && key in cache) w.resolve(cache[key]);
      else w.reject(new LoadError(key));
    }
    script.onload = function () { done(true); };
    script.onerror = function () { done(false); };
    document.head.appendChild(script);
    return w.promise;
  }

  function pad(n) {
    var s = String(n);
    return s.length >= 3 ? s : ("00" + s).slice(-3);
  }

  // --- Tokenizer (identical to the Rust side: see the index format) ---------------------------

  var WORD;
  try {
    WORD = new RegExp("[\\p{Alphabetic}\\p{N}]+", "gu");
  } catch (e) {
    // Browsers without Unicode property escapes: close enough for Latin, Greek and Cyrillic.
    WORD = /[0-9A-Za-z\u00aa\u00b2\u00b3\u00b5\u00b9\u00ba\u00bc-\u00be\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u04ff]+/g;
  }

  // Unicode White_Space, like Rust's char::is_whitespace (JS \s differs on U+0085 and U+FEFF).
  var TRAILING_SPACE;
  try {
    TRAILING_SPACE = new RegExp("\\p{White_Space}$", "u");
  } catch (e) {
    TRAILING_SPACE = /[\s\u0085]$/;
  }

  function codePoints(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0xd800 || c > 0xdbff) n++;
    }
    return n;
  }

  // The index format this client reads (`v` in the manifest; docs/search.md).
  var FORMAT = 4;

  var NUMERIC;
  try {
    NUMERIC = new RegExp("\\p{N}", "u");
  } catch (e) {
    NUMERIC = /[0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u06f0-\u06f9\u0966-\u096f]/;
  }

  var NON_NUMERIC;
  try {
    NON_NUMERIC = new RegExp("\\P{N}", "u");
  } catch (e) {
    NON_NUMERIC = /[^0-9\u00b2\u00b3\u00b9\u00bc-\u00be\u0660-\u0669\u06f0-\u06f9\u0966-\u096f]/;
  }

  // The shard kind of an unlisted term: words (no numeric character) in t/NNN, numbers (only
  // numeric characters, or fewer than 6 with some: 502, 47s, p99) in n/NNN, codes (6 or more,
  // mixed: hashes, v1beta2) in c/NNN.
  function kindOf(t) {
    if (!NUMERIC.test(t)) return "t";
    return NON_NUMERIC.test(t) && codePoints(t) >= 6 ? "c" : "n";
  }

  function keepToken(t) {
    if (t.length < 2 || t.length > 80) return false; // cheap bounds in UTF-16 units first
    var n = codePoints(t);
    return n >= 2 && n <= 40;
  }

  // Every token of `text`: lowercased, 2..=40 characters (stop words not removed).
  function tokenize(text) {
    var out = [];
    var lower = String(text).toLowerCase();
    WORD.lastIndex = 0;
    var m;
    while ((m = WORD.exec(lower)) !== null) {
      if (keepToken(m[0])) out.push(m[0]);
    }
    return out;
  }

  // --- Stemming (Snowball English, Porter2: the same algorithm as the builder's rust-stemmers;
  // docs/search.md "Tokenizer"). A faithful port of english.sbl: each step below names its
  // rule there. Only tokens of ASCII letters are stemmed, as on the Rust side.

  var VOWEL = /[aeiouy]/;

  function isVowel(c) {
    return c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y";
  }

  // `shortv` at the end of `w` (english.sbl reads it backwards): a last letter that is neither
  // a vowel nor w, x or Y, after a vowel, after a non-vowel; or a vowel then a non-vowel as the
  // whole word.
  function endsShort(w) {
    var n = w.length;
    if (n >= 3 && isVowel(w[n - 2]) && !isVowel(w[n - 3])) {
      var c = w[n - 1];
      if (!isVowel(c) && c !== "w" && c !== "x" && c !== "Y") return true;
    }
    return n === 2 && !isVowel(w[1]) && isVowel(w[0]);
  }

  // The longest of `suffixes` that `w` ends with, or "" (Snowball's `among`: the longest match
  // is chosen, and its condition failing fails the step; no shorter one is tried).
  function longestSuffix(w, suffixes) {
    var best = "";
    for (var i = 0; i < suffixes.length; i++) {
      var s = suffixes[i];
      if (s.length > best.length && w.length >= s.length && w.slice(-s.length) === s) best = s;
    }
    return best;
  }

  var EXCEPTION1 = {
    skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl",
    gently: "gentl", ugly: "ugli", early: "earli", only: "onli", singly: "singl", sky: "sky",
    news: "news", howe: "howe", atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes",
  };
  var EXCEPTION2 = ["inning", "outing", "canning", "herring", "earring", "proceed", "exceed",
    "succeed"];
  var STEP1B = ["eed", "eedly", "ed", "edly", "ing", "ingly"];
  var STEP2 = {
    tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent", izer: "ize",
    ization: "ize", ational: "ate", ation: "ate", ator: "ate", alism: "al", aliti: "al",
    alli: "al", fulness: "ful", ousli: "ous", ousness: "ous", iveness: "ive", iviti: "ive",
    biliti: "ble", bli: "ble", ogi: "og", fulli: "ful", lessli: "less", li: "",
  };
  var STEP3 = {
    tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic", ical: "ic", ful: "",
    ness: "", ative: "",
  };
  var STEP4 = ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent",
    "ism", "ate", "iti", "ous", "ive", "ize", "ion"];
  var STEP2_KEYS = Object.keys(STEP2), STEP3_KEYS = Object.keys(STEP3);

  // The Porter2 stem of `word` (lowercase ASCII letters).
  function porter2(word) {
    if (Object.prototype.hasOwnProperty.call(EXCEPTION1, word)) return EXCEPTION1[word];
    if (word.length < 3) return word;
    // prelude: a y at the start or after a vowel is a consonant, Y.
    var w = word.split("");
    if (w[0] === "y") w[0] = "Y";
    for (var i = 1; i < w.length; i++) if (w[i] === "y" && isVowel(w[i - 1])) w[i] = "Y";
    w = w.join("");
    // mark_regions: R1 after the first non-vowel following a vowel (or after gener, commun,
    // arsen), R2 the same again within R1.
    var n = w.length, p1 = n, p2 = n;
    function after(from) {
      var j = from;
      while (j < n && !isVowel(w[j])) j++;
      if (j >= n) return -1;
      while (j < n && isVowel(w[j])) j++;
      return j >= n ? -1 : j + 1;
    }
    var special = /^(gener|commun|arsen)/.exec(w);
    var r1 = special ? special[0].length : after(0);
    if (r1 >= 0) {
      p1 = r1;
      var r2 = after(p1);
      if (r2 >= 0) p2 = r2;
    }
    var s, start;
    // Step_1a
    s = longestSuffix(w, ["sses", "ied", "ies", "s", "us", "ss"]);
    start = w.length - s.length;
    if (s === "sses") w = w.slice(0, start) + "ss";
    else if (s === "ied" || s === "ies") w = w.slice(0, start) + (start >= 2 ? "i" : "ie");
    else if (s === "s" && VOWEL.test(w.slice(0, start - 1))) w = w.slice(0, start);
    if (EXCEPTION2.indexOf(w) === -1) {
      // Step_1b
      s = longestSuffix(w, STEP1B);
      start = w.length - s.length;
      if (s === "eed" || s === "eedly") {
        if (start >= p1) w = w.slice(0, start) + "ee";
      } else if (s && VOWEL.test(w.slice(0, start))) {
        w = w.slice(0, start);
        var end = w.slice(-2);
        if (end === "at" || end === "bl" || end === "iz") w += "e";
        else if (end[0] === end[1] && "bdfgmnprt".indexOf(end[0]) !== -1) w = w.slice(0, -1);
        else if (w.length === p1 && endsShort(w)) w += "e";
      }
      // Step_1c
      n = w.length;
      if (n >= 3 && (w[n - 1] === "y" || w[n - 1] === "Y") && !isVowel(w[n - 2])) {
        w = w.slice(0, n - 1) + "i";
      }
      // Step_2
      s = longestSuffix(w, STEP2_KEYS);
      start = w.length - s.length;
      if (s && start >= p1) {
        if (s === "ogi") {
          if (w[start - 1] === "l") w = w.slice(0, start) + "og";
        } else if (s === "li") {
          if (start > 0 && "cdeghkmnrt".indexOf(w[start - 1]) !== -1) w = w.slice(0, start);
        } else {
          w = w.slice(0, start) + STEP2[s];
        }
      }
      // Step_3
      s = longestSuffix(w, STEP3_KEYS);
      start = w.length - s.length;
      if (s && start >= p1 && (s !== "ative" || start >= p2)) w = w.slice(0, start) + STEP3[s];
      // Step_4
      s = longestSuffix(w, STEP4);
      start = w.length - s.length;
      if (s && start >= p2) {
        if (s !== "ion") w = w.slice(0, start);
        else if (w[start - 1] === "s" || w[start - 1] === "t") w = w.slice(0, start);
      }
      // Step_5
      n = w.length;
      if (w[n - 1] === "e") {
        if (n - 1 >= p2 || (n - 1 >= p1 && !endsShort(w.slice(0, n - 1)))) w = w.slice(0, n - 1);
      } else if (w[n - 1] === "l") {
        if (n - 1 >= p2 && w[n - 2] === "l") w = w.slice(0, n - 1);
      }
    }
    return w.replace(/Y/g, "y");
  }

  // The index term of a token: its stem when it is made of ASCII letters, else itself.
  function stemOf(token) {
    return /^[a-z]+$/.test(token) ? porter2(token) : token;
  }
  window.pmSearchStem = stemOf;

  // --- Doc sets -----------------------------------------------------------------------------

  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var VALUE = new Int8Array(128).fill(-1);
  for (var a = 0; a < ALPHABET.length; a++) VALUE[ALPHABET.charCodeAt(a)] = a;

  // Calls fn(id) for every id of the encoded set (ids >= n are skipped: they can only come
  // from a corrupt file).
  function eachId(set, n, fn) {
    var len = set.length;
    if (!len) return;
    var i, c, v, id;
    if (set.charCodeAt(0) === 126) {
      // "~": a bitmap, six ids per character.
      for (i = 1; i < len; i++) {
        c = set.charCodeAt(i);
        v = c < 128 ? VALUE[c] : -1;
        if (v <= 0) continue;
        id = 6 * (i - 1);
        for (; v; v >>= 1, id++) {
          if (v & 1 && id < n) fn(id);
        }
      }
      return;
    }
    // Gap-encoded varints, five payload bits per character, low bits first.
    var prev = -1, val = 0, scale = 1;
    for (i = 0; i < len; i++) {
      c = set.charCodeAt(i);
      v = c < 128 ? VALUE[c] : -1;
      if (v < 0) continue;
      val += (v & 31) * scale;
      if (v & 32) {
        scale *= 32;
        continue;
      }
      id = prev + 1 + val;
      if (id < n) fn(id);
      prev = id;
      val = 0;
      scale = 1;
    }
  }

  // Raises arr[id] to at least `w` for every id of the encoded set. Used for tier weights
  // (Float32Array) and for facet masks (Uint8Array, w = 1).
  function decodeInto(set, arr, w, n) {
    eachId(set, n, function (id) {
      if (arr[id] < w) arr[id] = w;
    });
  }

  // --- Sorted key lookups -------------------------------------------------------------------

  // The first index whose key is > key (keys ascending in UTF-16 order, like JS `<`).
  function upper(keys, key) {
    var lo = 0, hi = keys.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (keys[mid] <= key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // The first index whose key is >= key.
  function lower(keys, key) {
    var lo = 0, hi = keys.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (keys[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  // --- The index ----------------------------------------------------------------------------

  var manifest = null;
  var listedKeys = [], listedFile = []; // the listed terms in key order, and the file of each
  var blockStarts = []; // the first doc id of each document block
  var stop = Object.create(null);
  var weights = [8, 3, 1];
  var severityRank = Object.create(null);
  var facetOrder = []; // facet keys in manifest order
  var facetValues = Object.create(null); // facet key -> [value...] in manifest order

  function useManifest(m) {
    manifest = m;
    // The listed terms in key order, each with its file (the manifest gives each file's keys).
    var pairs = [];
    (m.x || []).forEach(function (keys, f) {
      keys.forEach(function (k) { pairs.push([k, f]); });
    });
    pairs.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    listedKeys = pairs.map(function (p) { return p[0]; });
    listedFile = pairs.map(function (p) { return p[1]; });
    var start = 0, n = m.docs | 0;
    (m.blocks || []).forEach(function (run) {
      for (var i = 0; i < run[1] && start < n; i++) {
        blockStarts.push(start);
        start += Math.max(1, run[0] | 0);
      }
    });
    (m.stop || []).forEach(function (w) { stop[w] = true; });
    if (Array.isArray(m.weights) && m.weights.length) {
      // A match must count even if a weight were 0: keep every weight positive.
      weights = m.weights.map(function (w) { return w > 0 ? w : 1e-6; });
    }
    (m.facets || []).forEach(function (f) {
      facetOrder.push(f.key);
      facetValues[f.key] = (f.values || []).map(function (v) { return String(v[0]); });
      if (f.key === "severity") {
        facetValues[f.key].forEach(function (v, i) { severityRank[v] = i; });
      }
    });
  }

  // The term files a token needs ("x/012", "t/003"...), and whether a prefix had more than one
  // search loads. A listed term (manifest x gives the keys of each x file) is in its x file;
  // any other in the shard of its kind whose range holds it. A prefix needs the listed terms
  // that start with it (most searched first: files are numbered that way) and the shards of its
  // kind that its range spans (for digits, the code shards too).
  function termFiles(token) {
    var listed = listedKeys, fileOf = listedFile;
    if (!token.prefix) {
      var file = exactFile(token.stem);
      return { files: file ? [file] : [], incomplete: false };
    }
    var i = lower(listed, token.text);
    // The prefix's own file (where the prefix itself is, or would be, as a key) always; then
    // the files of its completions, most searched first (listed files are numbered that way),
    // then the shards its range spans, while they fit the budget. Longer keys are of the
    // prefix's kind, except that digits can go on to a code.
    var kind = kindOf(token.text);
    var home = upper(manifest[kind] || [], token.text) - 1; // -1: a kind with no shards
    var ownListed = listed[i] === token.text;
    var own = ownListed
      ? "x/" + pad(fileOf[i])
      : home >= 0 ? kind + "/" + pad(home) : null;
    var candidates = [], seen = Object.create(null);
    seen[own] = true;
    var numbers = [];
    for (; i < listed.length && listed[i].lastIndexOf(token.text, 0) === 0; i++) {
      if (!seen["x/" + pad(fileOf[i])]) {
        seen["x/" + pad(fileOf[i])] = true;
        numbers.push(fileOf[i]);
      }
    }
    numbers.sort(function (a, b) { return a - b; });
    numbers.forEach(function (f) { candidates.push(["x/" + pad(f), KIB * (manifest.xs || [])[f]]); });
    (kind === "n" ? ["n", "c"] : [kind]).forEach(function (k) {
      var shards = manifest[k] || [], sizes = manifest[k + "s"] || [];
      var first = Math.max(0, upper(shards, token.text) - 1);
      var last = upper(shards, token.text + "\uffff") - 1;
      for (var s = first; s <= last; s++) {
        var key = k + "/" + pad(s);
        if (!seen[key]) {
          seen[key] = true;
          candidates.push([key, KIB * sizes[s]]);
        }
      }
    });
    // A prefix that is not a listed word itself takes the file of its most searched listed
    // completion whatever its size (a pack of big terms can be bigger than the budget), so
    // that typing the start of a big word always finds it.
    var files = own ? [own] : [], spent = 0, skipped = false;
    // The word as typed may be whole already: its stem's file too.
    var whole = token.stem !== token.text ? exactFile(token.stem) : null;
    if (whole && whole !== own) {
      files.push(whole);
      seen[whole] = true;
      candidates = candidates.filter(function (c) { return c[0] !== whole; });
    }
    candidates.forEach(function (c, n) {
      var size = c[1] || 0;
      var listedFirst = !ownListed && n === 0 && c[0].charAt(0) === "x";
      if (!listedFirst && (spent + size > PREFIX_BYTES || files.length >= MAX_PREFIX_FILES)) {
        skipped = true;
        return;
      }
      spent += size;
      files.push(c[0]);
    });
    return { files: files, incomplete: skipped };
  }

  // The file that holds `key` if it is a term: its x file if it is listed, else the shard of
  // its kind whose range holds it (null: a kind with no shards).
  function exactFile(key) {
    var i = lower(listedKeys, key);
    if (listedKeys[i] === key) return "x/" + pad(listedFile[i]);
    var kind = kindOf(key);
    var s = upper(manifest[kind] || [], key) - 1;
    return s < 0 ? null : kind + "/" + pad(s);
  }

  // The postings ([tier0, tier1, tier2] doc sets) of term `key`, if a loaded file has it.
  function postingsOfKey(key) {
    var file = exactFile(key) ? cache[exactFile(key)] : null;
    if (!file || !file.k) return null;
    var i = lower(file.k, key);
    return file.k[i] === key ? file.p[i] : null;
  }

  // How well a key matches a word, out of QUALITY (docs/search.md, "Queries"): the word's own
  // term is worth the most, then the keys a prefix completes to, by how much of the key was
  // typed (`cert` is more of `certif` than of `certain`), then keys a few letters off.
  var QUALITY = 16, TYPO_QUALITY = [QUALITY, 8, 4];

  function prefixQuality(shorter, longer) {
    var q = Math.floor(QUALITY * codePoints(shorter) / codePoints(longer));
    return Math.max(1, Math.min(QUALITY - 1, q));
  }

  // The keys the token matches in the files it loaded, each as [key, quality, postings].
  function matchesOf(token) {
    var out = [], found = Object.create(null);
    function add(key, q, postings) {
      if (found[key]) return;
      found[key] = true;
      out.push([key, q, postings]);
    }
    var own = postingsOfKey(token.stem);
    if (own) add(token.stem, QUALITY, own);
    if (!token.prefix) return out;
    var exact = postingsOfKey(token.text);
    if (exact) add(token.text, QUALITY, exact);
    token.files.forEach(function (name) {
      var file = cache[name];
      if (!file || !file.k) return;
      var keys = file.k;
      for (var i = lower(keys, token.text); i < keys.length && keys[i].lastIndexOf(token.text, 0) === 0; i++) {
        add(keys[i], prefixQuality(token.text, keys[i]), file.p[i]);
      }
    });
    return out;
  }

  // An English word (ASCII letters): the words stemming, truncation and typo tolerance apply to.
  function isEnglish(text) {
    return /^[a-z]+$/.test(text);
  }

  // A word being typed can be past its stem (`certificat`: the term is `certif`): the keys it
  // starts with, longest first, down to half its length (at least 3 letters).
  function truncations(text) {
    var out = [];
    for (var j = text.length - 1; j >= Math.max(3, Math.ceil(text.length / 2)); j--) {
      out.push(text.slice(0, j));
    }
    return out;
  }

  // Edits allowed for a word of `n` letters that is not in the index.
  function typoBound(n) {
    return n >= 8 ? 2 : n >= 5 ? 1 : 0;
  }

  // Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions), or
  // bound + 1 once it must exceed `bound`.
  function editDistance(a, b, bound) {
    if (Math.abs(a.length - b.length) > bound) return bound + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var low = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          v = Math.min(v, prev2[j - 2] + 1);
        }
        cur.push(v);
        if (v < low) low = v;
      }
      if (low > bound) return bound + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  var TYPO_BYTES = 64 * 1024; // the word shards a typo is looked up in, at most
  var TYPO_KEYS = 5; // closest keys a misspelt word stands for, at most

  // The word shards a misspelt word is looked up in: its own, and every other while all of
  // them add up to TYPO_BYTES (the listed terms are in the manifest already).
  function typoShards(token) {
    var shards = manifest.t || [], sizes = manifest.ts || [], total = 0;
    sizes.forEach(function (k) { total += KIB * k; });
    if (total <= TYPO_BYTES) return shards.map(function (x, s) { return "t/" + pad(s); });
    var home = upper(shards, token.stem) - 1;
    return home >= 0 ? ["t/" + pad(home)] : [];
  }

  // The words of the index closest to a misspelt token, as [key, quality]: every English key of
  // the listed terms and of the loaded word shards within the token's bound, the nearest only.
  function typoKeys(token) {
    var bound = typoBound(token.text.length);
    if (!bound) return [];
    var best = bound + 1, keys = [];
    function consider(key) {
      if (!isEnglish(key)) return;
      var d = editDistance(token.stem, key, Math.min(bound, best));
      if (d < best) {
        best = d;
        keys = [];
      }
      if (d === best && d <= bound) keys.push(key);
    }
    listedKeys.forEach(consider);
    typoShards(token).forEach(function (name) {
      var file = cache[name];
      if (file && file.k) file.k.forEach(consider);
    });
    keys.sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
    return keys.slice(0, TYPO_KEYS).map(function (k) { return [k, TYPO_QUALITY[best]]; });
  }

  // Loads `keys` (file keys, duplicates allowed).
  function loadAll(keys) {
    return Promise.all(keys.filter(Boolean).map(load));
  }

  // Finds the keys each token matches, once its own files are loaded: a token with none falls
  // back to the keys a word being typed starts with (a prefix past its stem), then to the
  // closest words (a typo). The fallbacks load what they need.
  function resolve(p) {
    p.tokens.forEach(function (t) { t.keys = matchesOf(t); });
    var missing = p.tokens.filter(function (t) { return !t.keys.length && isEnglish(t.text); });
    if (!missing.length) return Promise.resolve();
    var cut = [];
    missing.forEach(function (t) {
      if (t.prefix) truncations(t.text).forEach(function (k) { cut.push(exactFile(k)); });
    });
    return loadAll(cut).then(function () {
      missing.forEach(function (t) {
        if (!t.prefix) return;
        truncations(t.text).forEach(function (k) {
          var postings = postingsOfKey(k);
          if (postings) t.keys.push([k, prefixQuality(k, t.text), postings]);
        });
      });
      var typos = missing.filter(function (t) { return !t.keys.length; });
      var shards = [];
      typos.forEach(function (t) { shards = shards.concat(typoShards(t)); });
      return loadAll(shards).then(function () {
        var files = [];
        typos.forEach(function (t) {
          t.typos = typoKeys(t);
          t.typos.forEach(function (c) { files.push(exactFile(c[0])); });
        });
        return loadAll(files).then(function () {
          typos.forEach(function (t) {
            t.typos.forEach(function (c) {
              var postings = postingsOfKey(c[0]);
              if (postings) t.keys.push([c[0], c[1], postings]);
            });
            if (t.keys.length) p.corrected.push(t.text);
          });
        });
      });
    });
  }

  function facetShard(key) {
    return upper(manifest.f || [], key) - 1;
  }

  function facetSet(key) {
    var s = facetShard(key);
    var shard = s < 0 ? null : cache["f/" + pad(s)];
    if (!shard || !shard.k) return "";
    var i = lower(shard.k, key);
    return shard.k[i] === key ? shard.p[i] : "";
  }

  // --- Queries ------------------------------------------------------------------------------

  // The words of the raw query, as the format's "Queries" rules say: stop words dropped, the
  // first of repeated words kept, and the last word a prefix unless the query ends in
  // whitespace (the word is still being typed).
  function queryTokens(raw) {
    var out = [], seen = Object.create(null);
    tokenize(raw).forEach(function (t) {
      if (stop[t] || seen[t]) return;
      seen[t] = true;
      out.push({ text: t, stem: stemOf(t), prefix: false });
    });
    if (out.length && !TRAILING_SPACE.test(raw)) out[out.length - 1].prefix = true;
    return out;
  }

  // Everything a search needs to load, then to compute.
  function plan(state) {
    var tokens = queryTokens(state.q);
    var keys = [], incomplete = false, need = Object.create(null);
    function want(k) {
      if (!need[k]) {
        need[k] = true;
        keys.push(k);
      }
    }
    tokens.forEach(function (t) {
      var r = termFiles(t);
      t.files = r.files;
      if (r.incomplete) incomplete = true;
      r.files.forEach(want);
    });
    var groups = [];
    facetOrder.forEach(function (f) {
      var values = state.filters[f];
      if (!values || !values.length) return;
      groups.push({ key: f, values: values });
      values.forEach(function (v) {
        var s = facetShard(f + ":" + v);
        if (s >= 0) want("f/" + pad(s));
      });
    });
    return { tokens: tokens, groups: groups, keys: keys, incomplete: incomplete, corrected: [] };
  }

  // Scratch arrays of one slot per document, allocated once per page: allocating them per
  // query would invite a garbage collection right when results are due.
  var scratch = null;

  function buffers(n) {
    if (!scratch || scratch.n !== n) {
      scratch = {
        n: n,
        score: new Float32Array(n), // the sum of the best tier weight of each token so far
        best: new Float32Array(n), // the best tier weight of the current token
        ok: new Uint8Array(n), // selected by the filters so far
        mask: new Uint8Array(n), // selected by the current facet
        rank: new Uint16Array(n), // which distinct score a doc has, for the ordering
      };
    }
    return scratch;
  }

  // Scores, filters and orders every document. Returns the matching doc ids in display order.
  function compute(p) {
    var n = manifest.docs | 0;
    var buf = buffers(n);
    var score = buf.score, best = buf.best, d;
    p.hit = null;
    for (var t = 0; t < p.tokens.length; t++) {
      var matches = p.tokens[t].keys || [];
      if (!matches.length) return new Int32Array(0); // AND: a token nothing has
      var into = t === 0 ? score : best;
      into.fill(0);
      for (var k = 0; k < matches.length; k++) {
        var tiers = matches[k][2] || [];
        for (var tier = 0; tier < tiers.length && tier < weights.length; tier++) {
          if (tiers[tier]) decodeInto(tiers[tier], into, weights[tier] * matches[k][1], n);
        }
      }
      if (t > 0) {
        for (d = 0; d < n; d++) {
          if (score[d] > 0) score[d] = best[d] > 0 ? score[d] + best[d] : 0;
        }
      }
    }

    // What the query matched before the filters, and each filter's selection: the live facet
    // counts need both (see facetCounts).
    var hit = new Uint8Array(n);
    for (d = 0; d < n; d++) hit[d] = p.tokens.length ? (score[d] > 0 ? 1 : 0) : 1;
    p.hit = hit;
    p.masks = [];
    var ok = null;
    for (var g = 0; g < p.groups.length; g++) {
      var into2 = g === 0 ? buf.ok : buf.mask;
      into2.fill(0);
      for (var v = 0; v < p.groups[g].values.length; v++) {
        decodeInto(facetSet(p.groups[g].key + ":" + p.groups[g].values[v]), into2, 1, n);
      }
      p.masks.push(into2.slice());
      if (g > 0) for (d = 0; d < n; d++) buf.ok[d] &= buf.mask[d];
      ok = buf.ok;
    }

    var count = 0;
    if (!p.tokens.length) {
      // Filters alone: every doc they select, in doc id order (the site's order, newest first).
      if (ok === null) return new Int32Array(0);
      for (d = 0; d < n; d++) count += ok[d];
      var ids = new Int32Array(count), j = 0;
      for (d = 0; d < n; d++) if (ok[d]) ids[j++] = d;
      return ids;
    }

    // Score descending, then doc id ascending: a stable counting sort over the distinct scores
    // (sums of a handful of tier weights times match qualities), linear in the number of
    // documents.
    var rank = buf.rank, distinct = [], counts = [], last = -1, lastRank = 0;
    var rankOf = new Map();
    for (d = 0; d < n; d++) {
      var s1 = score[d];
      if (!(s1 > 0)) continue;
      if (ok !== null && !ok[d]) {
        score[d] = 0;
        continue;
      }
      if (s1 !== last) {
        lastRank = rankOf.get(s1);
        if (lastRank === undefined) {
          lastRank = distinct.length;
          rankOf.set(s1, lastRank);
          distinct.push(s1);
          counts.push(0);
        }
        last = s1;
      }
      rank[d] = lastRank;
      counts[lastRank]++;
      count++;
    }
    var byScore = distinct.map(function (x, r) { return r; });
    byScore.sort(function (x, y) { return distinct[y] - distinct[x]; });
    var start = new Int32Array(distinct.length), offset = 0;
    byScore.forEach(function (r) {
      start[r] = offset;
      offset += counts[r];
    });
    var order = new Int32Array(count);
    for (d = 0; d < n; d++) {
      if (score[d] > 0) order[start[rank[d]]++] = d;
    }
    return order;
  }

  // --- Page state ---------------------------------------------------------------------------

  var els = {};
  var state = { q: "", filters: Object.create(null) };
  var current = null; // the search shown: {seq, plan, order, shown, query}
  var seq = 0; // increases with every search; a finished search that is not the latest is dropped
  var selected = -1;
  var timer = 0;

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    state.q = params.get("q") || "";
    params.forEach(function (value, key) {
      if (key === "q") return;
      var list = state.filters[key] || (state.filters[key] = []);
      if (list.indexOf(value) === -1) list.push(value);
    });
  }

  // The canonical query string of the state: q (whitespace collapsed), then each facet in the
  // manifest's order with its values in the manifest's order.
  function normalized() {
    var params = new URLSearchParams();
    var q = state.q.replace(/\s+/g, " ").trim();
    if (q) params.append("q", q);
    facetOrder.forEach(function (f) {
      var chosen = state.filters[f];
      if (!chosen || !chosen.length) return;
      var known = facetValues[f] || [];
      known.forEach(function (v) { if (chosen.indexOf(v) !== -1) params.append(f, v); });
      chosen.forEach(function (v) { if (known.indexOf(v) === -1) params.append(f, v); });
    });
    return params.toString();
  }

  function writeUrl(query) {
    if (!window.history || !window.history.replaceState) return;
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    try {
      window.history.replaceState(window.history.state, "", url);
    } catch (e) {
      // Some browsers refuse history changes on file:// pages; search still works.
    }
  }

  function setState(name, query) {
    els.results.setAttribute("data-state", name);
    els.count.classList.toggle("is-error", name === "error");
    if (query !== undefined) els.results.setAttribute("data-query", query);
  }

  function say(text) {
    els.count.textContent = text;
  }

  // 12345 -> "12,345" (by hand: the first toLocaleString call can take tens of milliseconds).
  function grouped(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function plural(n, one, many) {
    return grouped(n) + " " + (n === 1 ? one : many);
  }

  // --- Searching ----------------------------------------------------------------------------

  function schedule() {
    window.clearTimeout(timer);
    setState("loading");
    timer = window.setTimeout(search, DEBOUNCE_MS);
  }

  function now() {
    return window.performance && performance.now ? performance.now() : Date.now();
  }

  function fail(mine, error) {
    if (mine !== seq) return;
    if (error instanceof LoadError) {
      say("Search is unavailable: search/" + error.key + ".js could not be loaded. Reload the " +
        "page; if this persists, the site was published without a complete search/ folder.");
    } else if (error instanceof FormatError) {
      say("Search is unavailable: " + error.message);
    } else {
      say("Search failed: " + (error && error.message ? error.message : String(error)));
      if (window.console) console.error(error); // a bug: let it be seen
    }
    els.note.hidden = true;
    clearResults();
    els.more.hidden = true;
    setState("error");
  }

  function search() {
    window.clearTimeout(timer);
    var mine = ++seq;
    setState("loading");
    if (!manifest) return; // the manifest's arrival starts the search
    var query = normalized();
    writeUrl(query);
    var p = plan(state);
    if (!p.tokens.length && !p.groups.length) {
      clearResults();
      current = null;
      totalCounts();
      els.more.hidden = true;
      els.note.hidden = true;
      say(state.q.trim()
        ? "Type at least two letters; common words such as “the” are not searched."
        : "Type to search " + plural(manifest.docs | 0, "postmortem", "postmortems") +
          ", or choose filters.");
      stats.lastRenderMs = 0;
      setState("done", query);
      return;
    }
    Promise.all(p.keys.map(load)).then(function () {
      return mine === seq ? resolve(p) : null;
    }).then(function () {
      if (mine !== seq) return null; // a later search has started: this one is stale
      var t0 = now();
      var order = compute(p);
      var computeMs = now() - t0;
      current = {
        seq: mine, plan: p, order: order, shown: 0, query: query, terms: matchedTerms(p),
      };
      return showMore(current, computeMs, true);
    }).catch(function (error) { fail(mine, error); });
  }

  // Loads the document blocks of the next PAGE results and renders them (replacing the list
  // when `fresh`). `extraMs` is compute time to count in lastRenderMs.
  function showMore(run, extraMs, fresh) {
    var from = run.shown, to = Math.min(run.order.length, from + PAGE);
    var need = [], seen = Object.create(null);
    for (var i = from; i < to; i++) {
      var b = blockOf(run.order[i]);
      if (!seen[b]) {
        seen[b] = true;
        need.push("d/" + pad(b));
      }
    }
    setState("loading");
    return Promise.all(need.map(load)).then(function () {
      if (run.seq !== seq || current !== run) return;
      var t1 = now();
      var fragment = document.createDocumentFragment();
      for (var i = from; i < to; i++) {
        var id = run.order[i], b = blockOf(id);
        var data = cache["d/" + pad(b)];
        var row = data && data.d ? data.d[id - blockStarts[b]] : null;
        fragment.appendChild(renderRow(row || [id], i, run));
      }
      if (fresh) {
        clearResults();
        var total = run.order.length;
        say(total ? plural(total, "result", "results") : "No results");
        var notes = [];
        if (run.plan.corrected.length) {
          notes.push("No postmortem has " + run.plan.corrected.map(function (w) {
            return "“" + w + "”";
          }).join(" or ") + ": showing the closest words instead.");
        }
        if (run.plan.incomplete) {
          notes.push("More words start with these letters than one search loads: type more of " +
            "the word for complete results.");
        }
        els.note.hidden = !notes.length;
        els.note.textContent = notes.join(" ");
        showCounts(run.plan);
      }
      els.results.appendChild(fragment);
      run.shown = to;
      els.more.hidden = to >= run.order.length;
      if (!els.more.hidden) {
        els.more.textContent = "More results (" +
          Math.min(PAGE, run.order.length - to) + " of " +
          grouped(run.order.length - to) + " more)";
      }
      stats.lastRenderMs = extraMs + (now() - t1);
      setState("done", run.query);
      if (!fresh && from < to) {
        // Keep keyboard users where the new results start.
        var link = els.results.children[from].querySelector("a.pm-result-link");
        if (link) link.focus();
      }
    });
  }

  // The document block that holds doc `id`.
  function blockOf(id) {
    return Math.max(0, upper(blockStarts, id) - 1);
  }

  function clearResults() {
    while (els.results.firstChild) els.results.removeChild(els.results.firstChild);
    selected = -1;
    els.input.removeAttribute("aria-activedescendant");
  }

  // --- Rendering ----------------------------------------------------------------------------

  function el(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== "") node.textContent = text;
    return node;
  }

  // The terms a search matched (the keys of every token): a word of a text is a match when its
  // stem is one of them.
  function matchedTerms(plan) {
    var terms = Object.create(null);
    plan.tokens.forEach(function (t) {
      (t.keys || []).forEach(function (k) { terms[k[0]] = true; });
    });
    return terms;
  }

  // Appends `text` to `parent` with every word the query matched wrapped in <mark>: text nodes
  // and elements only, so nothing in the data is ever parsed as HTML. Returns how many words
  // it marked.
  function highlight(parent, text, terms) {
    text = String(text || "");
    var last = 0, m, marked = 0;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text)) !== null) {
      var word = m[0].toLowerCase();
      if (!keepToken(word) || terms[stemOf(word)] !== true) continue;
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      parent.appendChild(el("mark", null, m[0]));
      last = m.index + m[0].length;
      marked++;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return marked;
  }

  // --- Snippets where the words matched -------------------------------------------------------
  // A row carries the start of the summary. When the query's words are not in it, the snippet
  // is cut from the postmortem's own page around the words: fetched once, parsed inert
  // (DOMParser runs no script and loads nothing), read as text and shown as text nodes. From
  // file:// browsers refuse fetch, so the summary stays.

  var SNIPPET_CHARS = 160; // a snippet cut from a page: about two lines
  var pages = Object.create(null); // page URL -> promise of its text blocks

  // The text blocks (paragraphs, list items, cells…) of a postmortem page's article.
  function pageBlocks(url) {
    if (!pages[url]) {
      pages[url] = window.fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(url + ": " + r.status);
        return r.text();
      }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var article = doc.querySelector(".pm-article .prose") || doc.querySelector("main");
        var blocks = [];
        var leaves = "p, li, td, th, pre, blockquote, dd, h2, h3, h4";
        Array.prototype.forEach.call(article ? article.querySelectorAll(leaves) : [], function (e) {
          if (e.querySelector("p, li, pre, blockquote, td")) return; // its children are read
          var t = e.textContent.replace(/\s+/g, " ").trim();
          if (t) blocks.push(t);
        });
        return blocks;
      });
      pages[url].catch(function () { delete pages[url]; });
    }
    return pages[url];
  }

  // The matched words of `text`: [start, end, term] of each, in order.
  function matchesIn(text, terms) {
    var out = [], m;
    WORD.lastIndex = 0;
    while ((m = WORD.exec(text)) !== null) {
      var word = m[0].toLowerCase();
      if (keepToken(word) && terms[stemOf(word)] === true) {
        out.push([m.index, m.index + m[0].length, stemOf(word)]);
      }
    }
    return out;
  }

  // The window of the block that holds the most of the query's terms (the first such block),
  // cut at spaces to about SNIPPET_CHARS around its first match, with ellipses where cut; null
  // when no block has a match.
  function cutSnippet(blocks, terms) {
    var best = null, bestCount = 0;
    blocks.forEach(function (text) {
      var found = matchesIn(text, terms);
      var distinct = Object.create(null), count = 0;
      found.forEach(function (f) {
        if (!distinct[f[2]]) {
          distinct[f[2]] = true;
          count++;
        }
      });
      if (count > bestCount) {
        best = [text, found];
        bestCount = count;
      }
    });
    if (!best) return null;
    var text = best[0], first = best[1][0][0];
    var start = Math.max(0, first - Math.floor(SNIPPET_CHARS / 3));
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space >= 0 && space < first ? space + 1 : start;
    }
    var end = Math.min(text.length, start + SNIPPET_CHARS);
    if (end < text.length) {
      var back = text.lastIndexOf(" ", end);
      if (back > first) end = back;
    }
    return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
  }

  // Replaces the snippet `p` of the result linking to `url` with the page's text around the
  // query's words, when the page can be read and has them.
  function snippetFromPage(p, url, terms, run) {
    if (window.location.protocol === "file:" || !window.fetch || !window.DOMParser) return;
    pageBlocks(url).then(function (blocks) {
      if (current !== run) return;
      var text = cutSnippet(blocks, terms);
      if (text === null) return;
      while (p.firstChild) p.removeChild(p.firstChild);
      highlight(p, text, terms);
      p.setAttribute("data-source", "page");
    }).catch(function () {
      // The summary stays: a page that cannot be read is no reason to fail the search.
    });
  }

  // The value at position `i` of a facet's values in the manifest, or "".
  function facetValue(key, i) {
    var values = facetValues[key] || [];
    return typeof i === "number" && i >= 0 && i < values.length ? values[i] : "";
  }

  // A row is [id, title, date, severity, status, snippet, [services], team] and, when the page
  // is not named after the id, its name; severity, status, services and team are positions in
  // the manifest's facet values.
  function renderRow(row, index, run) {
    var terms = run.terms;
    var id = row[0] === undefined || row[0] === null ? "" : String(row[0]);
    var title = row[1] || id;
    var date = row[2] || "";
    var severity = facetValue("severity", row[3]), status = facetValue("status", row[4]);
    var snippet = row[5] || "";
    var services = (Array.isArray(row[6]) ? row[6] : []).map(function (s) {
      return facetValue("service", s);
    }).filter(Boolean);
    var team = facetValue("team", row[7]);
    var page = typeof row[8] === "string" && row[8] ? row[8] : id;
    var href = page ? "postmortems/" + page + ".html" : "";

    var li = el("li", "pm-result");
    li.id = "pm-result-" + index;
    li.setAttribute("aria-selected", "false");

    var heading = el("h2", "pm-result-title");
    var link = el("a", "pm-result-link");
    link.href = base + href;
    highlight(link, title, terms);
    heading.appendChild(link);
    li.appendChild(heading);

    var meta = el("p", "pm-result-meta");
    var sev = el("span", "pm-result-severity", severity);
    if (severity) {
      // The badge colour of the site's pages (sev-0 the worst): the position in the severity
      // facet, which lists the configured severities in order (those that occur).
      var rank = severity in severityRank
        ? severityRank[severity]
        : (facetValues.severity || []).length;
      sev.className += " badge sev sev-" + rank;
    }
    meta.appendChild(sev);
    var st = el("span", "pm-result-status", status.replace(/-/g, " "));
    if (status) st.className += " badge status status-" + status;
    meta.appendChild(st);
    meta.appendChild(el("span", "pm-result-id mono", id));
    var time = el("time", "pm-result-date", date);
    if (date) time.setAttribute("datetime", date);
    meta.appendChild(time);
    var where = services.slice();
    if (team) where.push(team);
    if (where.length) meta.appendChild(el("span", "pm-result-where", where.join(" · ")));
    li.appendChild(meta);

    var p = el("p", "pm-result-snippet");
    p.setAttribute("data-source", "summary");
    if (!highlight(p, snippet, terms) && run.plan.tokens.length && href) {
      snippetFromPage(p, link.href, terms, run);
    }
    li.appendChild(p);
    return li;
  }

  // --- Keyboard -----------------------------------------------------------------------------

  function select(index) {
    var items = els.results.children;
    if (selected >= 0 && items[selected]) {
      items[selected].classList.remove("is-selected");
      items[selected].setAttribute("aria-selected", "false");
    }
    selected = index;
    if (index >= 0 && items[index]) {
      items[index].classList.add("is-selected");
      items[index].setAttribute("aria-selected", "true");
      els.input.setAttribute("aria-activedescendant", items[index].id);
      if (items[index].scrollIntoView) items[index].scrollIntoView({ block: "nearest" });
    } else {
      els.input.removeAttribute("aria-activedescendant");
    }
  }

  function onKey(e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    var count = els.results.children.length;
    if (e.key === "ArrowDown") {
      if (!count) return;
      e.preventDefault();
      select(Math.min(selected + 1, count - 1));
    } else if (e.key === "ArrowUp") {
      if (selected < 0) return;
      e.preventDefault();
      select(selected - 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      var item = selected >= 0 ? els.results.children[selected] : null;
      var link = item && item.querySelector("a.pm-result-link");
      if (link) window.location.assign(link.href);
      else search(); // no selection: search now instead of after the pause
    } else if (e.key === "Escape" && selected >= 0) {
      e.preventDefault();
      select(-1);
    }
  }

  // --- Facets -------------------------------------------------------------------------------

  function buildFacets() {
    var panel = els.facets;
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    // On a phone the groups would push the results off the screen: they sit in a <details>
    // that starts closed there and is always open (its summary hidden by CSS) on wider screens.
    var details = el("details", "search-filters");
    var summary = el("summary", "search-filters-toggle", "Filters");
    details.appendChild(summary);
    var box = el("div", "search-filters-body");
    details.appendChild(box);
    panel.appendChild(details);
    var narrow = window.matchMedia ? window.matchMedia("(max-width: 40rem)") : null;
    details.open = !(narrow && narrow.matches) || Object.keys(state.filters).length > 0;
    if (narrow && narrow.addEventListener) {
      narrow.addEventListener("change", function () { if (!narrow.matches) details.open = true; });
    }
    var counter = 0;
    (manifest.facets || []).forEach(function (f) {
      var values = (f.values || []).map(function (v) { return [String(v[0]), v[1]]; });
      // A value from the URL that the index does not have (a shared link from an older build)
      // still gets a box, so it can be seen and cleared.
      (state.filters[f.key] || []).forEach(function (v) {
        if (facetValues[f.key].indexOf(v) === -1) values.push([v, 0]);
      });
      if (!values.length) return;
      var set = el("fieldset", "facet");
      set.appendChild(el("legend", "facet-label", f.label || f.key));
      var list = el("div", "facet-values");
      values.forEach(function (v) {
        var id = "pm-facet-" + counter++;
        var label = el("label", "facet-value");
        label.htmlFor = id;
        var box2 = el("input");
        box2.type = "checkbox";
        box2.id = id;
        box2.name = f.key;
        box2.value = v[0];
        box2.checked = (state.filters[f.key] || []).indexOf(v[0]) !== -1;
        label.appendChild(box2);
        label.appendChild(el("span", "facet-name", v[0]));
        var count = el("span", "facet-count", String(v[1]));
        countSpans[f.key + ":" + v[0]] = count;
        label.appendChild(count);
        list.appendChild(label);
      });
      if (values.length > FIND_AFTER) set.appendChild(finder(f.label || f.key, list));
      set.appendChild(list);
      box.appendChild(set);
    });
    if (!countable()) {
      box.appendChild(el("p", "facet-note", "Counts are of all postmortems: this index is too " +
        "big to count each search's in the browser."));
    }
    var clear = el("button", "button facet-clear", "Clear filters");
    clear.type = "button";
    clear.id = "pm-search-clear";
    clear.addEventListener("click", function () {
      Array.prototype.forEach.call(box.querySelectorAll("input[type=checkbox]"), function (c) {
        c.checked = false;
      });
      readFacets();
      search();
    });
    box.appendChild(clear);
    // Keep only facets the index knows, so the URL stays canonical.
    var kept = Object.create(null);
    facetOrder.forEach(function (k) { if (state.filters[k]) kept[k] = state.filters[k]; });
    state.filters = kept;
    updateClear();
  }

  // --- Live facet counts ---------------------------------------------------------------------
  // Each value's count is the number of postmortems the query and the other facets' filters
  // select that have the value (a facet's own values are alternatives, so its own filter does
  // not narrow its counts). They need every facet shard: loaded once, after the first results
  // are shown; until then the counts are the totals.

  var countSpans = Object.create(null); // "facet:value" -> its count element
  var allFacets = null; // promise: every facet shard loaded
  // Facet shards hold a bitmap or a gap list per value: about N/6 bytes a facet, so they grow
  // with the repository. Past this size (tens of thousands of postmortems) they are not loaded
  // for counts, which then stay the totals, and the panel says so.
  var COUNT_BYTES = 192 * KIB;

  function countable() {
    var total = 0;
    (manifest.fs || []).forEach(function (k) { total += KIB * k; });
    return total <= COUNT_BYTES;
  }

  function showCounts(plan) {
    if (!countable()) return;
    if (!allFacets) {
      allFacets = loadAll((manifest.f || []).map(function (x, s) { return "f/" + pad(s); }));
    }
    var run = current;
    allFacets.then(function () {
      if (current === run) setCounts(plan);
    }).catch(function () {
      allFacets = null; // the totals stay; the next search tries again
    });
  }

  // The documents counted for facet `key`: matched by the query and by every filter but its own.
  function countedFor(plan, key, n) {
    var allowed = plan.hit ? plan.hit.slice() : new Uint8Array(n);
    plan.groups.forEach(function (g, i) {
      if (g.key === key) return;
      var mask = plan.masks[i];
      for (var d = 0; d < n; d++) allowed[d] &= mask[d];
    });
    return allowed;
  }

  function setCounts(plan) {
    var n = manifest.docs | 0;
    (manifest.facets || []).forEach(function (f) {
      var allowed = countedFor(plan, f.key, n);
      (facetValues[f.key] || []).forEach(function (v) {
        var span = countSpans[f.key + ":" + v];
        if (!span) return;
        var count = 0;
        eachId(facetSet(f.key + ":" + v), n, function (id) { count += allowed[id]; });
        span.textContent = String(count);
        span.parentNode.classList.toggle("is-empty", count === 0);
      });
    });
    stats.counted++;
  }

  // The totals of the manifest, for a page with no query and no filter.
  function totalCounts() {
    (manifest.facets || []).forEach(function (f) {
      (f.values || []).forEach(function (v) {
        var span = countSpans[f.key + ":" + v[0]];
        if (!span) return;
        span.textContent = String(v[1]);
        span.parentNode.classList.remove("is-empty");
      });
    });
  }

  // A box that narrows a long list of values to those containing what is typed (checked
  // values stay visible).
  function finder(label, list) {
    var input = el("input", "facet-find");
    input.type = "search";
    input.placeholder = "Find…";
    input.setAttribute("aria-label", "Find a value of " + label);
    input.autocomplete = "off";
    input.addEventListener("input", function () {
      var text = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(list.children, function (item) {
        var box = item.querySelector("input");
        item.hidden = text !== "" && !box.checked && box.value.toLowerCase().indexOf(text) === -1;
      });
    });
    // Enter here must not act like Enter in the search box.
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();
    });
    return input;
  }

  function readFacets() {
    var filters = Object.create(null);
    Array.prototype.forEach.call(
      els.facets.querySelectorAll("input[type=checkbox]"),
      function (c) {
        if (!c.checked) return;
        (filters[c.name] || (filters[c.name] = [])).push(c.value);
      }
    );
    state.filters = filters;
    updateClear();
  }

  function updateClear() {
    var active = 0;
    Object.keys(state.filters).forEach(function (k) { active += state.filters[k].length; });
    var clear = document.getElementById("pm-search-clear");
    if (clear) clear.hidden = active === 0;
    var toggle = els.facets.querySelector(".search-filters-toggle");
    if (toggle) toggle.textContent = active ? "Filters (" + active + ")" : "Filters";
  }

  // --- Start --------------------------------------------------------------------------------

  function rootFromScript() {
    var script = document.currentScript;
    var src = script && script.src;
    var at = src ? src.lastIndexOf("assets/search.js") : -1;
    return at >= 0 ? src.slice(0, at) : "../";
  }
  var scriptRoot = rootFromScript(); // document.currentScript exists only while this runs

  function init() {
    var page = document.getElementById("pm-search");
    els.input = document.getElementById("pm-search-q");
    els.facets = document.getElementById("pm-search-facets");
    els.count = document.getElementById("pm-search-count");
    els.note = document.getElementById("pm-search-note");
    els.results = document.getElementById("pm-search-results");
    els.more = document.getElementById("pm-search-more");
    if (!page || !els.input || !els.results || !els.count || !els.facets || !els.more) return;
    if (!els.note) {
      els.note = el("p");
      els.note.hidden = true;
    }
    var root = page.getAttribute("data-root");
    base = root !== null ? root : scriptRoot;

    readUrl();
    els.input.value = state.q;
    page.classList.add("is-ready");
    setState("loading");

    // The header's box searches here too, as you type, and the two boxes say the same.
    var header = document.getElementById("pm-site-search-q");
    if (header) header.value = state.q;
    els.input.addEventListener("input", function (e) {
      if (e.isComposing) return;
      state.q = els.input.value;
      if (header) header.value = state.q;
      schedule();
    });
    if (header) {
      header.addEventListener("input", function (e) {
        if (e.isComposing) return;
        state.q = els.input.value = header.value;
        schedule();
      });
      if (header.form) header.form.addEventListener("submit", function (e) {
        e.preventDefault();
        search();
      });
    }
    els.input.addEventListener("keydown", onKey);
    els.facets.addEventListener("change", function (e) {
      if (!e.target || e.target.type !== "checkbox") return;
      readFacets();
      search();
    });
    els.more.addEventListener("click", function () {
      var run = current;
      if (!run || run.shown >= run.order.length) return;
      showMore(run, 0, false).catch(function (error) { fail(run.seq, error); });
    });
    var form = els.input.form;
    if (form) form.addEventListener("submit", function (e) {
      e.preventDefault();
      search();
    });

    say("Loading the search index…");
    load("manifest").then(function (m) {
      if (!m || m.v !== FORMAT) {
        throw new FormatError("the index is in format " + (m && m.v) + " and this page reads " +
          "format " + FORMAT + ". Rebuild the site; if the repository has its own site-theme/search.js " +
          "(from pm theme eject), update or remove it.");
      }
      useManifest(m);
      buildFacets();
      search();
    }).catch(function (error) { fail(seq, error); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
