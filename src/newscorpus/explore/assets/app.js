/* newscorpus explorer: the page's one script.
 *
 * Data comes from script files under data/ (a page opened from file:// cannot fetch()
 * local files): each calls NC.receive(name, data). Record text is untrusted scraped
 * text, so it only ever enters the page as text nodes or as values of plain attributes
 * (el() refuses any other attribute); links built from it must be http(s).
 */
(function () {
  "use strict";

  var DATA_DIR = "data/";
  // Data files kept in memory (least recently used dropped): a few shards and pages.
  var CACHE_LIMIT = 16;
  var RESULT_LIMIT = 200;
  var REFS_PER_VIEW = 50;
  // Speaker colours in style.css (.sp-0 … .sp-9); more speakers reuse them in order.
  var PALETTE = 10;
  // Never an event handler (on…) or style: record text may fill only these.
  var SAFE_ATTRIBUTES = /^(class|id|href|rel|tabindex|title|role|start|scope|src|alt|data-[a-z-]+|aria-[a-z]+)$/;

  var PATTERNS = {
    cue_after: "the cue follows the quotation: “…,” X said",
    cue_before: "the cue comes first: X said, “…”",
    colon: "a colon introduces it: X: “…”",
    bare_cue_continues: "a cue with no speaker (and added, “…”): the current speaker",
    continued_quotation: "the quotation continues one from an earlier paragraph",
    same_paragraph: "the speaker of the same paragraph",
    quote_paragraph_after: "a quotation-only paragraph after an attributed one",
    sentence_subject: "the subject of the sentence: Kim, visibly moved, “…”",
    previous_sentence: "the previous sentence names the speaker: Kim said … . “…”",
    dash_signature: "a dash signature: “…” — Kim",
    previous_paragraph: "the speaker of the paragraph before",
    trailing_cue: "a cue after the sentence: … “fragment” …, X said."
  };
  var RESOLUTIONS = {
    as_written: "the mention as written (it names no entity of the article)",
    full_name: "a full name of the article's entity table",
    surname: "a surname: the person of the article with it",
    title: "a title and surname (Mr X, Rep. X): the person of the article",
    organisation: "an organisation's name: its fullest name in the article",
    acronym: "the organisation an acronym stands for",
    description: "a description (the governor, the company): the entity the article gave it",
    pronoun: "a pronoun: an earlier referent, through the entity table",
    relative: "a relative pronoun (who, which): the phrase it refers to"
  };

  // --- data files ---------------------------------------------------------------

  var cache = new Map();
  var waiting = new Map();
  var meta = null;

  function receive(name, data) {
    var entry = waiting.get(name);
    if (!entry) {
      return; // a file nobody asked for
    }
    waiting.delete(name);
    remember(name, data);
    entry.resolve(data);
  }

  Object.defineProperty(window, "NC", {
    value: Object.freeze({ receive: receive }),
    writable: false,
    configurable: false
  });

  function remember(name, data) {
    cache.delete(name);
    cache.set(name, data);
    while (cache.size > CACHE_LIMIT) {
      cache.delete(cache.keys().next().value);
    }
  }

  function load(name) {
    if (cache.has(name)) {
      var data = cache.get(name);
      remember(name, data);
      return Promise.resolve(data);
    }
    if (waiting.has(name)) {
      return waiting.get(name).promise;
    }
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    waiting.set(name, entry);
    var script = document.createElement("script");
    script.src = DATA_DIR + name + ".js";
    script.addEventListener("load", function () {
      script.remove();
      if (waiting.get(name) === entry) {
        waiting.delete(name);
        entry.reject(new Error("data file " + name + " holds no data"));
      }
    });
    script.addEventListener("error", function () {
      script.remove();
      waiting.delete(name);
      entry.reject(new Error("cannot read data file " + script.src));
    });
    document.head.appendChild(script);
    return entry.promise;
  }

  function pageName(prefix, number) {
    var digits = String(number);
    while (digits.length < 4) {
      digits = "0" + digits;
    }
    return prefix + "-" + digits;
  }

  // --- building the page (text only) ---------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) {
      var value = attributes[key];
      if (value === null || value === undefined || value === false) {
        return;
      }
      if (!SAFE_ATTRIBUTES.test(key)) {
        throw new Error("attribute not allowed: " + key);
      }
      node.setAttribute(key, String(value));
    });
    append(node, children);
    return node;
  }

  function append(node, children) {
    if (children === null || children === undefined) {
      return node;
    }
    if (!Array.isArray(children)) {
      children = [children];
    }
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) {
        return;
      }
      node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function safeHref(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  function link(route, children, attributes) {
    var all = { href: "#/" + route };
    Object.keys(attributes || {}).forEach(function (key) {
      all[key] = attributes[key];
    });
    return el("a", all, children);
  }

  function plural(count, one, many) {
    return count.toLocaleString("en") + " " + (count === 1 ? one : many);
  }

  function pager(route, page, pages) {
    if (pages <= 1) {
      return null;
    }
    function to(number, label, rel) {
      if (number < 1 || number > pages || number === page) {
        return el("span", { class: "off", "aria-hidden": "true" }, label);
      }
      return link(route + "/" + number, label, { rel: rel || null });
    }
    return el("nav", { class: "pager", "aria-label": "Pages" }, [
      to(1, "« First"),
      to(page - 1, "‹ Previous", "prev"),
      el("span", { class: "where" }, "page " + page + " of " + pages),
      to(page + 1, "Next ›", "next"),
      to(pages, "Last »")
    ]);
  }

  function speakerNames(names, limit) {
    if (!names.length) {
      return el("span", { class: "none" }, "no speaker");
    }
    var shown = names.slice(0, limit).join(", ");
    return names.length > limit ? shown + " +" + (names.length - limit) : shown;
  }

  // --- views ---------------------------------------------------------------------

  function view(name, title, children) {
    return { name: name, title: title, node: el("div", { class: "view view-" + name }, children) };
  }

  function heading(text) {
    return el("h1", { tabindex: "-1" }, text);
  }

  function articleRow(number, headline, details) {
    return el("li", { class: "row" }, [
      link("article/" + number, headline, { class: "headline" }),
      el("span", { class: "details" }, details)
    ]);
  }

  function showList(page) {
    if (!meta.list_pages) {
      return Promise.resolve(view("list", "Articles", [heading("Articles"), el("p", null, "This corpus holds no articles.")]));
    }
    page = Math.min(Math.max(page, 1), meta.list_pages);
    return load(pageName("list", page)).then(function (data) {
      var start = (page - 1) * meta.list_page + 1;
      var rows = data.items.map(function (item) {
        return articleRow(item[0], item[2], [
          el("span", { class: "source" }, item[3]),
          item[4] ? el("span", { class: "date" }, item[4]) : null,
          el("span", { class: "speakers" }, speakerNames(item[5], 3)),
          el("span", { class: "count" }, plural(item[6], "quotation", "quotations"))
        ]);
      });
      return view("list", "Articles, page " + page, [
        heading("Articles"),
        el("p", { class: "lead" }, plural(meta.articles, "article", "articles") + ", " + meta.order + "."),
        pager("list", page, meta.list_pages),
        el("ol", { class: "rows", start: start }, rows),
        pager("list", page, meta.list_pages)
      ]);
    });
  }

  function showSpeakers(page) {
    if (!meta.speaker_pages) {
      return Promise.resolve(view("speakers", "Speakers", [heading("Speakers"), el("p", null, "No quotation of this corpus has a speaker.")]));
    }
    page = Math.min(Math.max(page, 1), meta.speaker_pages);
    return load(pageName("speakers", page)).then(function (data) {
      var first = (page - 1) * meta.speaker_page;
      var rows = data.items.map(function (item, index) {
        return el("tr", null, [
          el("td", { class: "num" }, String(first + index + 1)),
          el("th", { scope: "row" }, link("speaker/" + (first + index), item[0])),
          el("td", { class: "num" }, item[1].toLocaleString("en")),
          el("td", { class: "num" }, item[2].toLocaleString("en"))
        ]);
      });
      return view("speakers", "Speakers, page " + page, [
        heading("Speakers"),
        el("p", { class: "lead" }, plural(meta.speakers, "speaker", "speakers") + " quoted, most quoted first."),
        pager("speakers", page, meta.speaker_pages),
        el("table", { class: "speakers" }, [
          el("thead", null, el("tr", null, [
            el("th", { scope: "col" }, "#"),
            el("th", { scope: "col" }, "speaker"),
            el("th", { scope: "col" }, "quotations"),
            el("th", { scope: "col" }, "articles")
          ])),
          el("tbody", null, rows)
        ]),
        pager("speakers", page, meta.speaker_pages)
      ]);
    });
  }

  function showSpeaker(number, page) {
    if (!(number >= 0 && number < meta.speakers)) {
      return Promise.resolve(notFound("No speaker " + number + " in this corpus."));
    }
    var speakerPage = Math.floor(number / meta.speaker_page) + 1;
    return load(pageName("speakers", speakerPage)).then(function (data) {
      var item = data.items[number - (speakerPage - 1) * meta.speaker_page];
      var pages = Math.max(1, Math.ceil(item[2] / REFS_PER_VIEW));
      page = Math.min(Math.max(page, 1), pages);
      var from = item[3] + (page - 1) * REFS_PER_VIEW;
      var to = Math.min(item[3] + item[2], from + REFS_PER_VIEW);
      var names = [];
      for (var file = Math.floor(from / meta.refs_page); file * meta.refs_page < to; file++) {
        names.push(pageName("refs", file + 1));
      }
      return Promise.all(names.map(load)).then(function (files) {
        var refs = [];
        files.forEach(function (refsFile, index) {
          var base = (Math.floor(from / meta.refs_page) + index) * meta.refs_page;
          refsFile.items.forEach(function (ref, offset) {
            if (base + offset >= from && base + offset < to) {
              refs.push(ref);
            }
          });
        });
        var rows = refs.map(function (ref) {
          return articleRow(ref[0], ref[1], [
            el("span", { class: "source" }, ref[2]),
            ref[3] ? el("span", { class: "date" }, ref[3]) : null,
            el("span", { class: "count" }, plural(ref[4], "quotation", "quotations") + " by this speaker")
          ]);
        });
        return view("speaker", item[0], [
          el("p", { class: "crumbs" }, link("speakers/" + speakerPage, "‹ All speakers")),
          heading(item[0]),
          el("p", { class: "lead" }, plural(item[1], "quotation", "quotations") + " in " + plural(item[2], "article", "articles") + "."),
          pager("speaker/" + number, page, pages),
          el("ol", { class: "rows", start: from - item[3] + 1 }, rows),
          pager("speaker/" + number, page, pages)
        ]);
      });
    });
  }

  // --- an article ----------------------------------------------------------------

  function quoteInfo(article) {
    return article.quotes.map(function (q, index) {
      var field = q[0] === "headline" ? article.headline : q[0] === "subheadline" ? article.subheadlines[q[1]] : article.body;
      field = field || "";
      var speaker = q[4] === null ? null : article.speakers[q[4]];
      return {
        index: index,
        location: q[0],
        sub: q[1],
        start: q[2],
        end: q[3],
        text: field.slice(q[2], q[3]),
        speaker: speaker ? speaker[0] : null,
        speakerIndex: q[4],
        speakerNumber: speaker ? speaker[2] : null,
        mentionStart: q[5],
        mentionEnd: q[6],
        mention: q[5] === null ? null : field.slice(q[5], q[6]),
        cueStart: q[7],
        cueEnd: q[8],
        cue: q[7] === null ? null : field.slice(q[7], q[8]),
        pattern: q[9],
        resolution: q[10]
      };
    });
  }

  function colour(quote) {
    return quote.speakerIndex === null ? "nosp" : "sp-" + (quote.speakerIndex % PALETTE);
  }

  // Marks in one stretch of a field: `text` starts at offset `base` of the field.
  function marked(parent, text, base, quotes) {
    var limit = base + text.length;
    var spans = [];
    var marks = [];
    var cursor = base;
    quotes.slice().sort(function (a, b) {
      return a.start - b.start || a.index - b.index;
    }).forEach(function (q) {
      var start = Math.max(q.start, base);
      var end = Math.min(q.end, limit);
      // An overlapping or empty span is left unmarked, so a bad offset cannot garble text.
      if (start < end && start >= cursor) {
        spans.push({ quote: q, start: start - base, end: end - base, first: q.start >= base, last: q.end <= limit });
        cursor = end;
      }
    });
    quotes.forEach(function (q) {
      [["mention", q.mentionStart, q.mentionEnd], ["cue", q.cueStart, q.cueEnd]].forEach(function (m) {
        if (m[1] === null) {
          return;
        }
        var start = Math.max(m[1], base);
        var end = Math.min(m[2], limit);
        if (start < end) {
          marks.push({ kind: m[0], quote: q, start: start - base, end: end - base });
        }
      });
    });
    var points = [0, text.length];
    spans.concat(marks).forEach(function (s) {
      points.push(s.start, s.end);
    });
    points = points.sort(function (a, b) {
      return a - b;
    }).filter(function (p, i, all) {
      return i === 0 || p !== all[i - 1];
    });
    var span = 0;
    var holder = parent;
    for (var i = 0; i + 1 < points.length; i++) {
      var from = points[i];
      var to = points[i + 1];
      while (span < spans.length && spans[span].end <= from) {
        span++;
      }
      var current = span < spans.length && spans[span].start <= from ? spans[span] : null;
      if (current && current.start === from) {
        holder = quoteElement(current);
        parent.appendChild(holder);
      } else if (!current) {
        holder = parent;
      }
      var over = marks.filter(function (m) {
        return m.start <= from && to <= m.end;
      });
      var piece = text.slice(from, to);
      if (!over.length) {
        holder.appendChild(document.createTextNode(piece));
      } else {
        var classes = {};
        var owners = [];
        over.forEach(function (m) {
          classes[m.kind] = true;
          if (m.kind === "mention") {
            classes[colour(m.quote)] = true;
          }
          if (owners.indexOf(String(m.quote.index)) < 0) {
            owners.push(String(m.quote.index));
          }
        });
        holder.appendChild(el("span", { class: Object.keys(classes).join(" "), "data-q": owners.join(" ") }, piece));
      }
      if (current && current.end === to) {
        if (current.last) {
          parent.appendChild(label(current));
        }
        holder = parent;
      }
    }
  }

  function quoteElement(span) {
    var q = span.quote;
    return el("mark", {
      class: "quote " + colour(q),
      tabindex: span.first ? "0" : null,
      "data-quote": String(q.index),
      "data-speaker": q.speaker
    });
  }

  function label(span) {
    var q = span.quote;
    return el("sup", { class: "who " + colour(q), "data-for": String(q.index) }, (q.index + 1) + " " + (q.speaker === null ? "?" : q.speaker));
  }

  function explanation(quote, count) {
    var where = quote.location === "subheadline" ? "sub-headline " + (quote.sub + 1) : quote.location;
    function row(term, value, note) {
      return [el("dt", null, term), el("dd", null, [value, note ? el("span", { class: "note" }, " — " + note) : null])];
    }
    var speaker = quote.speaker === null
      ? el("span", { class: "none" }, "no speaker found")
      : quote.speakerNumber === null
        ? el("span", { class: "chip " + colour(quote) }, quote.speaker)
        : link("speaker/" + quote.speakerNumber, quote.speaker, { class: "chip " + colour(quote) });
    return [
      el("h2", null, "Quotation " + (quote.index + 1) + " of " + count + " (" + where + ")"),
      el("dl", null, [].concat(
        row("Speaker", speaker),
        row("Mention", quote.mention === null ? "—" : "“" + quote.mention + "”", quote.mention !== null && quote.mention !== quote.speaker ? "as written" : null),
        row("Cue", quote.cue === null ? "—" : "“" + quote.cue + "”"),
        row("Pattern", quote.pattern || "—", PATTERNS[quote.pattern] || null),
        row("Resolution", quote.resolution || "—", quote.resolution ? quote.resolution.split("+").map(function (r) {
          return RESOLUTIONS[r] || r;
        }).join(", then ") : null)
      ))
    ];
  }

  function renderArticle(article, number) {
    var quotes = quoteInfo(article);
    function located(location, sub) {
      return quotes.filter(function (q) {
        return q.location === location && (location !== "subheadline" || q.sub === sub);
      });
    }
    var h1 = el("h1", { tabindex: "-1", class: "headline" });
    marked(h1, article.headline, 0, located("headline"));
    var subs = article.subheadlines.map(function (line, index) {
      var item = el("li");
      marked(item, line, 0, located("subheadline", index));
      return item;
    });
    var body = el("div", { class: "body" });
    var separator = meta.paragraph_separator;
    var offset = 0;
    var inBody = located("body");
    article.body.split(separator).forEach(function (paragraph) {
      var p = el("p");
      marked(p, paragraph, offset, inBody);
      body.appendChild(p);
      offset += paragraph.length + separator.length;
    });
    var url = safeHref(article.url);
    var facts = el("p", { class: "facts" }, [
      el("span", { class: "source" }, article.source),
      article.published ? el("span", { class: "date" }, article.published) : null,
      el("span", { class: "id" }, article.id),
      url ? el("a", { href: url, rel: "noopener noreferrer nofollow", class: "original" }, "original page") : null
    ]);
    var legend = el("ul", { class: "legend", "aria-label": "Speakers" }, article.speakers.map(function (s, index) {
      var name = s[2] === null ? el("span", null, s[0]) : link("speaker/" + s[2], s[0]);
      return el("li", { class: "chip sp-" + (index % PALETTE) }, [name, " (" + s[1] + ")"]);
    }));
    var unattributed = quotes.filter(function (q) {
      return q.speaker === null;
    }).length;
    var hint = quotes.length
      ? "Focus (Tab) or hover a quotation to see how it was attributed."
      : "No quotation was found in this article.";
    var aside = el("aside", { class: "explain", id: "explain", role: "status", "aria-live": "polite" }, el("p", { class: "hint" }, hint));
    var node = el("article", { class: "article" }, [
      el("div", { class: "text" }, [
        h1,
        subs.length ? el("ul", { class: "subheadlines" }, subs) : null,
        facts,
        el("p", { class: "summary" }, plural(quotes.length, "quotation", "quotations") + (unattributed ? ", " + unattributed + " without a speaker" : "") + (article.speakers.length ? "; speakers:" : ".")),
        article.speakers.length ? legend : null,
        body
      ]),
      aside
    ]);
    var active = null;
    function explain(target) {
      var mark = target && target.closest ? target.closest("mark.quote") : null;
      if (!mark || !node.contains(mark)) {
        return;
      }
      var index = Number(mark.getAttribute("data-quote"));
      if (index === active) {
        return;
      }
      node.querySelectorAll(".active").forEach(function (e) {
        e.classList.remove("active");
      });
      node.querySelectorAll('[data-quote="' + index + '"], [data-for="' + index + '"], [data-q~="' + index + '"]').forEach(function (e) {
        e.classList.add("active");
      });
      active = index;
      aside.replaceChildren.apply(aside, explanation(quotes[index], quotes.length));
    }
    node.addEventListener("focusin", function (event) {
      explain(event.target);
    });
    node.addEventListener("mouseover", function (event) {
      explain(event.target);
    });
    return view("article", article.headline, [
      el("p", { class: "crumbs" }, [link("list/1", "‹ Articles"), " · article " + (number + 1) + " of " + meta.articles.toLocaleString("en")]),
      node
    ]);
  }

  function showArticle(number) {
    if (!(number >= 0 && number < meta.articles)) {
      return Promise.resolve(notFound("No article " + number + " in this corpus."));
    }
    var shard = Math.floor(number / meta.shard_size);
    return load(pageName("articles", shard + 1)).then(function (data) {
      return renderArticle(data.items[number - shard * meta.shard_size], number);
    });
  }

  // --- search --------------------------------------------------------------------

  var searchIndex = null;

  function loadSearchIndex(progress) {
    if (searchIndex) {
      return Promise.resolve(searchIndex);
    }
    var chunks = [];
    var done = 0;
    // Every chunk is asked for at once (reading overlaps parsing); the chunks are
    // joined in list order, so results come in the order of the article list.
    var pending = [];
    for (var page = 1; page <= meta.search_pages; page++) {
      pending.push(loadChunk(page));
    }
    function loadChunk(page) {
      return load(pageName("search", page)).then(function (data) {
        cache.delete(pageName("search", page)); // kept, lower-cased, in `searchIndex`
        chunks[page - 1] = data.items.map(function (item) {
          var source = meta.sources[item[2]];
          return {
            number: item[0],
            headline: item[1],
            source: source,
            speakers: item[3] ? item[3].split("\n") : [],
            headlineKey: item[1].toLowerCase(),
            sourceKey: source.toLowerCase(),
            speakerKey: item[3].toLowerCase()
          };
        });
        done += 1;
        progress(done);
      });
    }
    return Promise.all(pending).then(function () {
      searchIndex = [].concat.apply([], chunks);
      return searchIndex;
    });
  }

  function matches(entry, terms, scope) {
    return terms.every(function (term) {
      return (scope !== "speaker" && scope !== "source" && entry.headlineKey.indexOf(term) >= 0) ||
        ((scope === "speaker" || scope === "all") && entry.speakerKey.indexOf(term) >= 0) ||
        ((scope === "source" || scope === "all") && entry.sourceKey.indexOf(term) >= 0);
    });
  }

  function showSearch(scope, query) {
    if (!/^(all|headline|speaker|source)$/.test(scope)) {
      scope = "all";
    }
    document.getElementById("search-query").value = query;
    document.getElementById("search-scope").value = scope;
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) {
      return Promise.resolve(view("search", "Search", [heading("Search"), el("p", null, "Type words to look for in headlines, speakers or sources.")]));
    }
    var status = el("p", { class: "status" }, "Loading the search index…");
    showNow(view("search", "Search", [heading("Search"), status]));
    return loadSearchIndex(function (done) {
      status.textContent = "Loading the search index (" + done + " of " + meta.search_pages + ")…";
    }).then(function (entries) {
      var found = entries.filter(function (entry) {
        return matches(entry, terms, scope);
      });
      var rows = found.slice(0, RESULT_LIMIT).map(function (entry) {
        return articleRow(entry.number, entry.headline, [
          el("span", { class: "source" }, entry.source),
          el("span", { class: "speakers" }, speakerNames(entry.speakers, 3))
        ]);
      });
      var where = scope === "all" ? "headlines, speakers and sources" : scope + "s";
      var summary = plural(found.length, "article", "articles") + " with “" + query + "” in their " + where +
        (found.length > RESULT_LIMIT ? "; the first " + RESULT_LIMIT + " are shown." : ".");
      return view("search", "Search: " + query, [
        heading("Search"),
        el("p", { class: "lead", id: "results-summary" }, summary),
        el("ol", { class: "rows", id: "results" }, rows)
      ]);
    });
  }

  // --- figures -------------------------------------------------------------------

  function table(caption, headers, rows) {
    return el("table", { class: "figures" }, [
      el("caption", null, caption),
      el("thead", null, el("tr", null, headers.map(function (h) {
        return el("th", { scope: "col" }, h);
      }))),
      el("tbody", null, rows.map(function (row) {
        return el("tr", null, row.map(function (cell, index) {
          var text = typeof cell === "number" ? cell.toLocaleString("en") : cell;
          return index ? el("td", { class: "num" }, text) : el("th", { scope: "row" }, text);
        }));
      }))
    ]);
  }

  function pairs(mapping) {
    return Object.keys(mapping || {}).map(function (key) {
      return [key, mapping[key]];
    });
  }

  function showFigures() {
    return load("figures").then(function (f) {
      var ledger = f.ledger || { outcomes: {}, rejects_by_reason: {}, duplicates_by_reason: {} };
      var outcomes = ledger.outcomes || {};
      var reasons = pairs(ledger.rejects_by_reason).map(function (r) {
        return ["rejected: " + r[0], r[1]];
      }).concat(pairs(ledger.duplicates_by_reason).map(function (r) {
        return ["duplicate: " + r[0], r[1]];
      }));
      var top = f.top_speakers.map(function (s) {
        return [s.number === null ? s.name : link("speaker/" + s.number, s.name), s.quotes];
      });
      var plots = f.plots.map(function (path) {
        return el("figure", null, el("img", { src: path, alt: path.indexOf("length") >= 0 ? "Histogram of article body lengths" : "Histogram of quotations per article" }));
      });
      return view("figures", "Figures", [
        heading("Figures"),
        el("p", { class: "lead" }, "The datasheet's figures for this corpus (schema " + meta.schema_version + ", pipeline " + meta.pipeline_version + "), counted from its records and its ledger."),
        table("Inputs and outcomes", ["", "count"], [
          ["files found", f.files_found === null || f.files_found === undefined ? "—" : f.files_found],
          ["ledger entries", ledger.entries || 0],
          ["records", outcomes.record || 0],
          ["duplicates", outcomes.duplicate || 0],
          ["rejected", outcomes.rejected || 0]
        ]),
        table("Records per split", ["split", "records"], pairs(f.per_split)),
        table("Records per source", ["source", "records"], pairs(f.per_source)),
        table("Quotations", ["", "count"], [["quotations", f.quotes], ["with a speaker", f.quotes_with_speaker]]),
        table("Quotations per article", ["quotations", "articles"], pairs(f.quotes_per_article)),
        table("Top speakers", ["speaker", "quotations"], top),
        table("Body length (characters)", ["length", "articles"], pairs(f.body_chars)),
        reasons.length ? table("Rejects and duplicates by reason", ["reason", "count"], reasons) : null,
        plots.length ? el("div", { class: "plots" }, plots) : null
      ]);
    });
  }

  // --- routing -------------------------------------------------------------------

  function notFound(message) {
    return view("missing", "Not found", [heading("Not found"), el("p", null, message), el("p", null, link("list/1", "‹ Articles"))]);
  }

  var main = null;
  var current = 0;

  function showNow(shown) {
    main.replaceChildren(shown.node);
    main.setAttribute("data-view", shown.name);
    document.title = shown.title + " · newscorpus explorer";
    document.querySelectorAll("nav.views a").forEach(function (a) {
      var on = a.getAttribute("data-view") === shown.name.replace(/^(article|search|missing)$/, "list").replace(/^speaker$/, "speakers");
      if (on) {
        a.setAttribute("aria-current", "page");
      } else {
        a.removeAttribute("aria-current");
      }
    });
  }

  function number(text, fallback) {
    var value = parseInt(text, 10);
    return isNaN(value) ? fallback : value;
  }

  function route() {
    var hash = location.hash;
    if (hash && hash.indexOf("#/") !== 0) {
      return; // an in-page anchor (the skip link): not a view
    }
    var parts = hash.slice(2).split("/");
    var token = ++current;
    main.setAttribute("data-state", "loading");
    var job;
    try {
      switch (parts[0] || "list") {
        case "list": job = showList(number(parts[1], 1)); break;
        case "article": job = showArticle(number(parts[1], -1)); break;
        case "speakers": job = showSpeakers(number(parts[1], 1)); break;
        case "speaker": job = showSpeaker(number(parts[1], -1), number(parts[2], 1)); break;
        case "search": job = showSearch(parts[1] || "all", decodeURIComponent(parts.slice(2).join("/"))); break;
        case "figures": job = showFigures(); break;
        default: job = Promise.resolve(notFound("This page does not exist."));
      }
    } catch (error) {
      job = Promise.reject(error);
    }
    job.then(function (shown) {
      if (token !== current) {
        return;
      }
      showNow(shown);
      // What the view shows and that it is complete (tests wait for both).
      main.setAttribute("data-route", hash);
      main.setAttribute("data-state", "ready");
      var h1 = main.querySelector("h1");
      (h1 || main).focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }, function (error) {
      if (token !== current) {
        return;
      }
      showNow(view("error", "Error", [heading("This view could not be shown"), el("p", null, String(error && error.message ? error.message : error))]));
      main.setAttribute("data-state", "error");
    });
  }

  function start() {
    main = document.getElementById("main");
    var form = document.getElementById("search");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var query = document.getElementById("search-query").value.trim();
      var scope = document.getElementById("search-scope").value;
      location.hash = "#/search/" + scope + "/" + encodeURIComponent(query);
    });
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        document.getElementById("search-query").focus();
      }
    });
    window.addEventListener("hashchange", route);
    load("meta").then(function (data) {
      meta = data;
      cache.delete("meta"); // kept in `meta`, never evicted
      route();
    }, function (error) {
      main.replaceChildren(el("p", { class: "status" }, "The site's data files are missing: " + error.message));
      main.setAttribute("data-state", "error");
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
