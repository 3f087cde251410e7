//! HTML in tools' text fields (rule descriptions, advisories) reduced to plain text.

/// Plain text of an HTML fragment: paragraphs and list items on their own lines, links kept as
/// footnotes, no line wrapping. Never fails: text that cannot be rendered is returned with its
/// tags as they were.
pub fn html_to_text(html: &str) -> String {
    let rendered = html2text::config::plain()
        .allow_width_overflow()
        .no_table_borders()
        .string_from_read(html.as_bytes(), 10_000);
    match rendered {
        Ok(text) => text
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_string(),
        Err(_) => html.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_removed_and_entities_decoded() {
        let text = html_to_text("<p>A &amp; B</p><ul><li>one</li><li>two</li></ul>");
        assert!(text.contains("A & B"), "{text}");
        assert!(text.contains("one") && text.contains("two"), "{text}");
        assert!(!text.contains('<'), "{text}");
    }
}
