//! Text helpers shared by importers: HTML fragments (Acunetix, SonarQube rule descriptions)
//! reduced to plain text for the findings table. The original HTML stays in the raw report.

/// Inputs larger than this are reduced by the simple tag stripper instead of a full HTML
/// parse: a hostile 50 MB "description" must not cost a DOM of that size.
const MAX_PARSED_HTML: usize = 256 * 1024;

/// Plain text of an HTML fragment: tags removed, entities decoded, block elements and `<br>` as
/// line breaks, runs of blank lines folded, each line trimmed at the end. Text without markup
/// is returned trimmed, unchanged otherwise.
pub fn html_to_text(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return html.trim().to_string();
    }
    simple_fragment(html).unwrap_or_else(|| parsed(html))
}

/// [`html_to_text`] by html2text's parser (or, for a huge input, [`strip_tags`]).
fn parsed(html: &str) -> String {
    let rendered = if html.len() <= MAX_PARSED_HTML {
        // html2text never panics by design, but it is a large parser fed untrusted input: a
        // panic there must not take an import down.
        std::panic::catch_unwind(|| {
            html2text::config::plain_no_decorate()
                .raw_mode(true)
                .allow_width_overflow()
                .no_link_wrapping()
                .string_from_read(html.as_bytes(), 100_000)
                .ok()
        })
        .ok()
        .flatten()
    } else {
        None
    };
    let text = rendered.unwrap_or_else(|| strip_tags(html));
    tidy(&text)
}

/// The inline elements [`simple_fragment`] reads: html2text renders each as its text alone.
const INLINE: &[&str] = &["b", "strong", "i", "em", "u", "span"];

/// What html2text makes of a fragment of the common simple shape, without its parser: the
/// per-issue details of web scanners are mostly paragraphs of text with bold words (`<p>The
/// <b>q</b> parameter ...</p>`), and a parse costs more than the rest of such an issue. The
/// shape: text, the few entities [`simple_entity`] knows, `<br>`, paragraphs that hold no other
/// block, and the [`INLINE`] elements properly nested, none with attributes. Anything else
/// (`None`) goes to the parser. Whitespace is collapsed as HTML does, paragraphs are
/// separated by a blank line, and the result is [`tidy`]. `tests` hold it to html2text's output.
fn simple_fragment(html: &str) -> Option<String> {
    let mut out = String::with_capacity(html.len());
    // Inline elements open, innermost last; whether a paragraph is open.
    let mut open: Vec<&str> = Vec::new();
    let mut in_paragraph = false;
    let mut paragraph_text = false;
    // A paragraph's break is owed before the next text; a space is owed before the next text
    // on this line; the current line has text.
    let mut block_break = false;
    let mut space = false;
    let mut line_has_text = false;
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(tag) = rest.strip_prefix('<') {
            let end = tag.find('>')?;
            let name = &tag[..end];
            rest = &tag[end + 1..];
            let (closing, name) = match name.strip_prefix('/') {
                Some(n) => (true, n),
                None => (false, name.trim_end_matches('/').trim_end()),
            };
            match (closing, name) {
                (false, "br") => {
                    out.push('\n');
                    space = false;
                    line_has_text = false;
                }
                (false, "p") if !in_paragraph && open.is_empty() => {
                    in_paragraph = true;
                    paragraph_text = false;
                    block_break = !out.is_empty();
                    space = false;
                    line_has_text = false;
                }
                // An empty paragraph is the parser's: its breaks and spaces around it vary.
                (true, "p") if in_paragraph && open.is_empty() && paragraph_text => {
                    in_paragraph = false;
                    block_break = true;
                    space = false;
                    line_has_text = false;
                }
                (false, n) if INLINE.contains(&n) => open.push(n),
                (true, n) if open.last() == Some(&n) => {
                    open.pop();
                }
                _ => return None,
            }
            continue;
        }
        let text_end = rest.find('<').unwrap_or(rest.len());
        let mut text = &rest[..text_end];
        rest = &rest[text_end..];
        while let Some(c) = text.chars().next() {
            let (decoded, used) = if c == '&' {
                simple_entity(text)?
            } else {
                (c, c.len_utf8())
            };
            text = &text[used..];
            if matches!(decoded, ' ' | '\t' | '\n' | '\r' | '\x0c') {
                space = line_has_text;
            } else if decoded.is_control() || decoded == '\u{a0}' {
                return None;
            } else {
                if block_break {
                    out.push_str("\n\n");
                    block_break = false;
                } else if space {
                    out.push(' ');
                }
                space = false;
                out.push(decoded);
                line_has_text = true;
                paragraph_text = in_paragraph;
            }
        }
    }
    if in_paragraph || !open.is_empty() {
        return None;
    }
    Some(tidy(&out))
}

/// The entity at the start of `text` (which starts with `&`) and its length, for the few
/// [`simple_fragment`] decodes; `None` for any other.
fn simple_entity(text: &str) -> Option<(char, usize)> {
    let end = text.get(1..)?.find(';')?.checked_add(1)?;
    let decoded = match text.get(1..end)? {
        "amp" | "#38" | "#x26" => '&',
        "lt" | "#60" | "#x3c" | "#x3C" => '<',
        "gt" | "#62" | "#x3e" | "#x3E" => '>',
        "quot" | "#34" | "#x22" => '"',
        "#39" | "#x27" | "apos" => '\'',
        _ => return None,
    };
    Some((decoded, end + 1))
}

/// Trims line ends and folds runs of blank lines into one.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0usize;
    for line in text.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

/// A linear-time fallback: drops everything between `<` and `>`, turns `<br>`, `<p>`, `<li>`
/// and `<div>` into line breaks and decodes the common entities.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let after = &rest[lt + 1..];
        let Some(gt) = after.find('>') else {
            rest = after;
            break;
        };
        let tag = after[..gt]
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(
            tag.as_str(),
            "br" | "p" | "li" | "div" | "tr" | "ul" | "ol" | "pre" | "h1" | "h2" | "h3" | "h4"
        ) {
            out.push('\n');
        }
        rest = &after[gt + 1..];
    }
    out.push_str(&decode_entities(rest));
    out
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let end = after.find(';').filter(|&i| i <= 10);
        let decoded = end.and_then(|i| {
            let name = &after[..i];
            let ch = match name {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            ch.map(|c| (c, i))
        });
        match decoded {
            Some((c, i)) => {
                out.push(c);
                rest = &after[i + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_trimmed_only() {
        assert_eq!(html_to_text("  a  b \n"), "a  b");
    }

    #[test]
    fn markup_becomes_text() {
        let text = html_to_text(
            "<p>One <strong>two</strong></p><ul><li>a</li><li>b &amp; c</li></ul>x<br/>y &lt;z&gt;",
        );
        assert!(text.contains("One two"), "{text}");
        assert!(text.contains("b & c"), "{text}");
        assert!(text.contains("y <z>"), "{text}");
        assert!(!text.contains('<') || text.contains("<z>"), "{text}");
    }

    #[test]
    fn fallback_strips_tags_and_entities() {
        assert_eq!(
            strip_tags("a<br/>b <b>c</b> &lt;d&gt; &#65;&#x42; &bogus; & <unclosed"),
            "a\nb c <d> AB &bogus; & unclosed"
        );
    }

    #[test]
    fn simple_fragments_read_as_the_parser_reads_them() {
        for (html, text) in [
            ("<p>The <b>q</b> parameter</p>", "The q parameter"),
            ("<p>a</p><p>b &amp; c</p>", "a\n\nb & c"),
            ("x<br/> y<br>z", "x\ny\nz"),
        ] {
            assert_eq!(simple_fragment(html).as_deref(), Some(text), "{html}");
            assert_eq!(parsed(html), text, "{html}");
        }
        // Attributes, other elements, unknown entities and broken nesting go to the parser.
        for html in [
            "<p class=\"x\">a</p>",
            "<ul><li>a</li></ul>",
            "a&nbsp;b",
            "<b><i>a</b></i>",
            "<p>a",
            "a <b",
        ] {
            assert_eq!(simple_fragment(html), None, "{html}");
        }
    }

    /// Text, entities and line breaks, the atoms of a fragment.
    const ATOMS: &[&str] = &[
        "a", "bc", "x-y", "é", "日本", "1.", " ", "  ", "\n", "\t", " \n ", "&amp;", "&lt;",
        "&gt;", "&quot;", "&#39;", "&apos;", "&#x27;", "&#34;", "&#x22;", "&#38;", "&#x26;",
        "&#60;", "&#x3c;", "&#x3C;", "&#62;", "&#x3e;", "&#x3E;", "<br>", "<br/>", "<br />",
    ];

    /// Inline runs: atoms, some inside one or two nested inline elements.
    fn inline_run() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let atoms = proptest::collection::vec(proptest::sample::select(ATOMS), 0..6);
        let wrappers = proptest::collection::vec(proptest::sample::select(INLINE), 0..3);
        (atoms, wrappers).prop_map(|(atoms, wrappers)| {
            let mut run = atoms.concat();
            for tag in wrappers {
                run = format!("<{tag}>{run}</{tag}>");
            }
            run
        })
    }

    proptest::proptest! {
        /// Whatever the fast path reads, it reads as html2text does: well-formed fragments
        /// (paragraphs of inline runs, runs between them) and any mix of their tokens.
        #[test]
        fn the_fast_path_agrees_with_the_parser(
            blocks in proptest::collection::vec(
                (proptest::bool::ANY, proptest::collection::vec(inline_run(), 0..4)),
                0..5,
            ),
            tokens in proptest::collection::vec(proptest::sample::select(vec![
                "a", " ", "\n", "&amp;", "<b>", "</b>", "<span>", "</span>", "<p>", "</p>", "<br>",
            ]), 0..12),
        ) {
            let well_formed: String = blocks
                .iter()
                .map(|(paragraph, runs)| {
                    let runs = runs.concat();
                    if *paragraph { format!("<p>{runs}</p>") } else { runs }
                })
                .collect();
            let mixed: String = tokens.concat();
            for html in [well_formed, mixed] {
                if let Some(fast) = simple_fragment(&html) {
                    proptest::prop_assert_eq!(fast, parsed(&html), "{:?}", html);
                }
            }
        }
    }

    #[test]
    fn huge_input_uses_the_fallback() {
        let html = "<div>x</div>".repeat(50_000);
        let text = html_to_text(&html);
        assert!(text.starts_with('x'));
    }
}
