"""Renders Markdown as Discourse does and describes the HTML, for the forum post test.

Discourse renders posts with markdown-it: CommonMark, GFM tables on, raw HTML allowed (its
sanitizer runs afterwards, so the Markdown itself must not produce tags from a scanner's text),
and a line break for every newline. Reads Markdown on standard input; prints JSON:

  tags        every element the HTML opens, sorted
  attributes  every attribute name on them, sorted
  blocks      the top-level elements in order: {"tag", "text", "rows"}, where rows are a
              table's rows (header first), each a list of cell texts
"""

import json
import sys
from html.parser import HTMLParser

from markdown_it import MarkdownIt

VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "col", "embed"}


class Describe(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = set()
        self.attributes = set()
        self.blocks = []
        self.depth = 0
        self.cell = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)
        if self.depth == 0:
            self.blocks.append({"tag": tag, "text": "", "rows": []})
        if tag in VOID:
            if tag == "br" and self.blocks:
                self.data("\n")
            return
        self.depth += 1
        if tag == "tr":
            self.blocks[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self.cell = ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        self.depth = max(self.depth - 1, 0)
        if tag in ("td", "th") and self.cell is not None:
            self.blocks[-1]["rows"][-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.depth == 0 and not data.strip():
            return
        if self.depth == 0:
            self.blocks.append({"tag": "#text", "text": "", "rows": []})
        self.data(data)

    def data(self, data):
        self.blocks[-1]["text"] += data
        if self.cell is not None:
            self.cell += data


markdown = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable("table")
html = markdown.render(sys.stdin.read())
parser = Describe()
parser.feed(html)
parser.close()
json.dump(
    {
        "html": html,
        "tags": sorted(parser.tags),
        "attributes": sorted(parser.attributes),
        "blocks": parser.blocks,
    },
    sys.stdout,
    ensure_ascii=False,
)
