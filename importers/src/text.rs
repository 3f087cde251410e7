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
    fn huge_input_uses_the_fallback() {
        let html = "<div>x</div>".repeat(50_000);
        let text = html_to_text(&html);
        assert!(text.starts_with('x'));
    }
}
