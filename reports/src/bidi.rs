//! Right-to-left text for the PDF: a finding title in Arabic or Hebrew is drawn right to left,
//! and Arabic letters joined, as a reader of those scripts expects.
//!
//! A PDF places glyphs left to right and draws exactly the glyphs it is given, so the renderer
//! does what a layout engine would: the Unicode bidirectional algorithm (`unicode-bidi`) cuts a
//! line into runs in the order they are seen, and each right-to-left run is shaped with the
//! font's own substitutions (allsorts applies the Arabic joining forms and ligatures from the
//! font's GSUB table) and laid down last glyph first. Each shaped glyph keeps the text it
//! stands for, which the PDF's ToUnicode map records, so copying or `pdftotext` gives back the
//! logical text and not presentation forms in reverse.
//!
//! Not done: mirrored brackets inside right-to-left runs (rule L4) and mark positioning from
//! GPOS (harakat sit where the font's advance leaves them).

use allsorts::binary::read::ReadScope;
use allsorts::font::MatchingPresentation;
use allsorts::font_data::{DynamicFontTableProvider, FontData};
use allsorts::gsub::{FeatureMask, FeatureMaskExt};
use allsorts::tag;
use unicode_bidi::BidiInfo;

/// A piece of a line in the order it is drawn, left to right.
#[derive(Debug, PartialEq, Eq)]
pub enum Run<'t> {
    /// Left-to-right text, drawn as it is.
    LeftToRight(&'t str),
    /// Right-to-left text, in logical order: shape it, then draw it last glyph first.
    RightToLeft(&'t str),
}

/// The runs of `line` in visual order, or `None` when it has no right-to-left text (the common
/// case: the caller draws the line as it is).
pub fn visual_runs(line: &str) -> Option<Vec<Run<'_>>> {
    let bidi = BidiInfo::new(line, None);
    if !bidi.has_rtl() {
        return None;
    }
    let mut runs = Vec::new();
    for paragraph in &bidi.paragraphs {
        let (levels, ranges) = bidi.visual_runs(paragraph, paragraph.range.clone());
        for range in ranges {
            let text = &line[range.clone()];
            if levels.get(range.start).is_some_and(|l| l.is_rtl()) {
                runs.push(Run::RightToLeft(text));
            } else {
                runs.push(Run::LeftToRight(text));
            }
        }
    }
    Some(runs)
}

/// One glyph of shaped text: its id in the font and the text it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapedGlyph {
    pub glyph: u16,
    pub text: String,
}

/// A font ready to shape, parsed once and reused for every run (its lookup caches grow as it
/// shapes).
pub struct Shaper {
    font: allsorts::Font<DynamicFontTableProvider<'static>>,
}

impl Shaper {
    /// The shaper of a TrueType or OpenType font; an error when its tables do not parse.
    pub fn new(font: &'static [u8]) -> Result<Shaper, String> {
        let data = ReadScope::new(font)
            .read::<FontData<'static>>()
            .map_err(|e| e.to_string())?;
        let provider = data.table_provider(0).map_err(|e| e.to_string())?;
        let font = allsorts::Font::new(provider).map_err(|e| e.to_string())?;
        Ok(Shaper { font })
    }

    /// `text` (one right-to-left run, logical order) as glyphs in visual order, left to right.
    /// Arabic is joined by the font's substitutions; when shaping fails part way, what was
    /// shaped is used (allsorts applies what it can and reports the first error).
    pub fn right_to_left(&mut self, text: &str) -> Vec<ShapedGlyph> {
        let script = if text.chars().any(is_arabic) {
            tag::ARAB
        } else {
            tag::DFLT
        };
        let glyphs = self
            .font
            .map_glyphs(text, script, MatchingPresentation::NotRequired);
        let infos = match self.font.shape(
            glyphs,
            script,
            None,
            FeatureMask::default_mask(),
            &[],
            None,
            false,
        ) {
            Ok(infos) | Err((_, infos)) => infos,
        };
        infos
            .into_iter()
            .rev()
            .map(|info| ShapedGlyph {
                glyph: info.glyph.glyph_index,
                text: info.glyph.unicodes.iter().collect(),
            })
            .collect()
    }
}

/// Arabic letters, in the blocks a finding title may use (basic, supplement, extended, and the
/// presentation forms some tools already write).
fn is_arabic(c: char) -> bool {
    matches!(c,
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFF}')
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    const DEJAVU: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

    #[test]
    fn a_latin_line_has_no_runs_to_reorder() {
        assert_eq!(visual_runs("CVE-2024-3094 xz-utils, čšž, 入力"), None);
    }

    #[test]
    fn an_arabic_title_in_a_latin_line_is_its_own_run() {
        let runs = visual_runs("high تجاوز سعة (trivy)").expect("right-to-left text");
        assert!(runs.contains(&Run::RightToLeft("تجاوز سعة")), "{runs:?}");
        assert_eq!(runs.first(), Some(&Run::LeftToRight("high ")));
    }

    #[test]
    fn arabic_is_joined_and_reversed_and_keeps_its_text() {
        let mut shaper = Shaper::new(DEJAVU).expect("DejaVu Sans parses");
        let word = "سعة";
        let shaped = shaper.right_to_left(word);
        // Visual order: the last letter first, each glyph standing for its letter.
        let text: String = shaped.iter().rev().map(|g| g.text.as_str()).collect();
        assert_eq!(text, word);
        // Joined: the glyphs are the initial, medial and final forms, not the letters' own
        // (isolated) glyphs.
        let mut plain = Shaper::new(DEJAVU).expect("DejaVu Sans parses");
        let isolated: Vec<u16> = word
            .chars()
            .map(|c| {
                plain
                    .font
                    .lookup_glyph_index(c, MatchingPresentation::NotRequired, None)
                    .0
            })
            .collect();
        let joined: Vec<u16> = shaped.iter().rev().map(|g| g.glyph).collect();
        assert_ne!(joined, isolated, "Arabic not joined");
        assert!(
            joined.iter().all(|g| *g != 0),
            "a glyph is missing: {joined:?}"
        );
    }
}
