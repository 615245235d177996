"""The explorer: a static, self-contained site for browsing a published corpus.

`site.write_site(corpus, out)` reads a published folder and writes a site that opens from
disk (file://, no server, no network): an article list with search, article pages with
every quotation marked and explained, a speaker index and the datasheet's figures.
`data.py` says what the site's data files hold and how they are written safely; the page
itself (HTML, script, style) is package data under `assets/`.
"""
