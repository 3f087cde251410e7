//! `report.pdf`: the auditor's report, drawn with printpdf 0.12.
//!
//! Cover (project, release, dates, gate result, signing key), counts by severity and tool, the
//! diff against the previous release, every blocking, accepted or false-positive finding with
//! its decision and approver, the other findings summarized, the scan list with SHA-256, and
//! "page n of N" on every page.
//!
//! Text is set in DejaVu Sans (embedded, subset), falling back per character to Droid Sans
//! Fallback for scripts DejaVu lacks (Japanese, Chinese, Korean), so any finding title renders.
//! Both fonts ship in `reports/fonts/` with their licenses. Right-to-left text (Arabic, Hebrew)
//! is drawn in visual order and Arabic joined ([`crate::bidi`]); its glyphs go in as glyph ids
//! that carry their text, so extraction gives the logical text back. printpdf names fonts and the
//! document `/ID` randomly; fonts get fixed ids here and the `/ID` is rewritten from the
//! content, so the same snapshot gives the same bytes. All printpdf code stays in this module:
//! the crate changes its API often.

use crate::ReportError;
use crate::bidi::{Run, ShapedGlyph, Shaper};
use crate::format_time;
use crate::markdown::severity_line;
use crate::severity::{SEVERITIES, severity_rank};
use crate::snapshot::{ReleaseSnapshot, ViewFinding};
use printpdf::{
    Codepoint, Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument,
    PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt, Rect, Rgb, TextItem,
};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");
const FALLBACK_TTF: &[u8] = include_bytes!("../fonts/DroidSansFallback.ttf");

/// Rows of the new/fixed lists on the cover section.
const MAX_DIFF_ROWS: usize = 25;
/// Rows of the blocking and decided findings (about 33 pages): a release with more lists the
/// most severe here, and all of them in `report.html`, `triage.json` and the findings files.
/// It also bounds what the PDF holds, since every page is kept until the document is written.
pub const MAX_LISTED_ROWS: usize = 1000;

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const MARGIN: f32 = 15.0;
const TOP: f32 = 20.0;
const BOTTOM: f32 = 18.0;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Face {
    Regular,
    Bold,
    Fallback,
}

impl Face {
    const ALL: [Face; 3] = [Face::Regular, Face::Bold, Face::Fallback];

    /// The face whose font resource id is `id`.
    fn from_id(id: &str) -> Option<Face> {
        Face::ALL.into_iter().find(|f| f.id() == id)
    }

    /// The font file, as embedded in the binary.
    fn source(self) -> &'static [u8] {
        match self {
            Face::Regular => REGULAR_TTF,
            Face::Bold => BOLD_TTF,
            Face::Fallback => FALLBACK_TTF,
        }
    }

    fn id(self) -> &'static str {
        // Six capitals: printpdf uses the first six characters as the subset tag.
        match self {
            Face::Regular => "SLREGU",
            Face::Bold => "SLBOLD",
            Face::Fallback => "SLFALL",
        }
    }
}

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
    fallback: ParsedFont,
}

fn fonts() -> Result<&'static Fonts, ReportError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut warnings = Vec::new();
            Some(Fonts {
                regular: ParsedFont::from_bytes(REGULAR_TTF, 0, &mut warnings)?,
                bold: ParsedFont::from_bytes(BOLD_TTF, 0, &mut warnings)?,
                fallback: ParsedFont::from_bytes(FALLBACK_TTF, 0, &mut warnings)?,
            })
        })
        .as_ref()
        .ok_or_else(|| ReportError::Pdf("the embedded fonts did not parse".into()))
}

impl Fonts {
    fn font(&self, face: Face) -> &ParsedFont {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Fallback => &self.fallback,
        }
    }

    /// The face that draws `c`: the wanted one when it has the glyph, else the fallback.
    fn face_for(&self, wanted: Face, c: char) -> Face {
        if self.font(wanted).lookup_glyph_index(c as u32).is_some() {
            wanted
        } else if self.fallback.lookup_glyph_index(c as u32).is_some() {
            Face::Fallback
        } else {
            wanted
        }
    }

    /// Width of `c` in points at `size`.
    fn char_width(&self, face: Face, c: char, size: f32) -> f32 {
        let font = self.font(face);
        let units = font
            .lookup_glyph_index(c as u32)
            .and_then(|g| font.get_glyph_width(g))
            .unwrap_or(font.units_per_em / 2);
        f32::from(units) * size / f32::from(font.units_per_em.max(1))
    }

    fn text_width(&self, wanted: Face, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.char_width(self.face_for(wanted, c), c, size))
            .sum()
    }

    /// `text` cut to `max_mm` with an ellipsis.
    fn fit(&self, wanted: Face, text: &str, size: f32, max_mm: f32) -> String {
        let max = Mm(max_mm).into_pt().0;
        if self.text_width(wanted, text, size) <= max {
            return text.to_string();
        }
        let ellipsis = self.text_width(wanted, "…", size);
        let mut width = 0.0;
        let mut out = String::new();
        for c in text.chars() {
            let w = self.char_width(self.face_for(wanted, c), c, size);
            if width + w + ellipsis > max {
                break;
            }
            width += w;
            out.push(c);
        }
        out.push('…');
        out
    }

    /// Greedy word wrap to `max_mm`, at most `max_lines` lines.
    fn wrap(
        &self,
        wanted: Face,
        text: &str,
        size: f32,
        max_mm: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let max = Mm(max_mm).into_pt().0;
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if self.text_width(wanted, &candidate, size) <= max || current.is_empty() {
                current = candidate;
            } else {
                lines.push(std::mem::take(&mut current));
                current = word.to_string();
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        if lines.len() > max_lines {
            lines.truncate(max_lines);
            if let Some(last) = lines.last_mut() {
                *last = self.fit(wanted, &format!("{last} …"), size, max_mm);
            }
        }
        lines
            .into_iter()
            .map(|l| self.fit(wanted, &l, size, max_mm))
            .collect()
    }
}

fn rgb(r: f32, g: f32, b: f32) -> Color {
    Color::Rgb(Rgb::new(r, g, b, None))
}

fn severity_color(severity: &str) -> Color {
    match severity {
        "critical" => rgb(0.55, 0.0, 0.0),
        "high" => rgb(0.85, 0.2, 0.2),
        "medium" => rgb(0.85, 0.55, 0.0),
        "low" => rgb(0.2, 0.4, 0.8),
        _ => rgb(0.4, 0.4, 0.4),
    }
}

/// What the drawn text used of each face (indexed by `Face as usize`): the characters drawn as
/// text, and the glyphs drawn by id (shaped right-to-left text). The subsets keep these.
#[derive(Default)]
struct Used {
    chars: [BTreeSet<char>; 3],
    glyphs: [BTreeSet<u16>; 3],
}

/// Pages being drawn; `y` is millimetres from the top of the current page.
struct Layout<'f> {
    fonts: &'f Fonts,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    used: Used,
    /// Each face's shaper, made when its first right-to-left run is drawn (`Err`: its font
    /// did not parse for shaping, so such runs are drawn reversed but unjoined).
    shapers: [Option<Result<Shaper, String>>; 3],
    header: String,
}

impl<'f> Layout<'f> {
    fn new(fonts: &'f Fonts, header: String) -> Self {
        Layout {
            fonts,
            pages: Vec::new(),
            ops: Vec::new(),
            y: TOP,
            used: Used::default(),
            shapers: Default::default(),
            header,
        }
    }

    fn new_page(&mut self) {
        let mut ops = std::mem::take(&mut self.ops);
        // Every page is held until the document is written: without the growth's slack.
        ops.shrink_to_fit();
        self.pages.push(ops);
        self.y = TOP;
        self.running_header();
    }

    fn running_header(&mut self) {
        let header = self.header.clone();
        self.text_colored(
            MARGIN,
            10.0,
            &header,
            7.5,
            Face::Regular,
            rgb(0.45, 0.45, 0.45),
        );
        self.rule(12.0, 0.2);
    }

    /// Starts a new page unless `mm` more fit on this one.
    fn need(&mut self, mm: f32) {
        if self.y + mm > PAGE_H - BOTTOM {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, text: &str, size: f32, face: Face) {
        self.text_colored(x, y, text, size, face, rgb(0.1, 0.1, 0.12));
    }

    /// Draws `text` with its baseline `y` mm from the top, splitting it into runs by face.
    fn text_colored(&mut self, x: f32, y: f32, text: &str, size: f32, face: Face, color: Color) {
        if text.is_empty() {
            return;
        }
        self.ops.push(Op::StartTextSection);
        self.ops.push(Op::SetFillColor { col: color });
        self.ops.push(Op::SetTextCursor {
            pos: Point {
                x: Mm(x).into_pt(),
                y: Mm(PAGE_H - y).into_pt(),
            },
        });
        let text: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        match crate::bidi::visual_runs(&text) {
            None => self.left_to_right(&text, face, size),
            Some(runs) => {
                for run in runs {
                    match run {
                        Run::LeftToRight(t) => self.left_to_right(t, face, size),
                        Run::RightToLeft(t) => self.right_to_left(t, face, size),
                    }
                }
            }
        }
        self.ops.push(Op::EndTextSection);
    }

    /// Left-to-right text, each stretch in the face that has its characters.
    fn left_to_right(&mut self, text: &str, face: Face, size: f32) {
        for (f, stretch) in self.by_face(text, face) {
            self.used.chars[f as usize].extend(stretch.chars());
            self.set_font(f, size);
            self.ops.push(Op::ShowText {
                items: vec![TextItem::Text(stretch)],
            });
        }
    }

    /// A right-to-left run: each stretch shaped in its face, then the stretches and their
    /// glyphs laid down in visual order (last first).
    fn right_to_left(&mut self, text: &str, face: Face, size: f32) {
        let mut shaped: Vec<(Face, Vec<ShapedGlyph>)> = Vec::new();
        for (f, stretch) in self.by_face(text, face) {
            let glyphs = match self.shaper(f) {
                Some(shaper) => shaper.right_to_left(&stretch),
                None => stretch
                    .chars()
                    .rev()
                    .map(|c| ShapedGlyph {
                        glyph: self.fonts.font(f).lookup_glyph_index(c as u32).unwrap_or(0),
                        text: c.to_string(),
                    })
                    .collect(),
            };
            shaped.push((f, glyphs));
        }
        for (f, glyphs) in shaped.into_iter().rev() {
            self.used.glyphs[f as usize].extend(glyphs.iter().map(|g| g.glyph));
            self.set_font(f, size);
            let glyphs = glyphs
                .into_iter()
                .map(|g| Codepoint {
                    gid: g.glyph,
                    offset: 0.0,
                    cid: Some(g.text),
                })
                .collect();
            self.ops.push(Op::ShowText {
                items: vec![TextItem::GlyphIds(glyphs)],
            });
        }
    }

    /// `text` cut where the face that draws its characters changes.
    fn by_face(&self, text: &str, wanted: Face) -> Vec<(Face, String)> {
        let mut stretches: Vec<(Face, String)> = Vec::new();
        for c in text.chars() {
            let f = self.fonts.face_for(wanted, c);
            match stretches.last_mut() {
                Some((last, stretch)) if *last == f => stretch.push(c),
                _ => stretches.push((f, c.to_string())),
            }
        }
        stretches
    }

    /// The face's shaper, made on first use; `None` when its font cannot be shaped with.
    fn shaper(&mut self, face: Face) -> Option<&mut Shaper> {
        self.shapers[face as usize]
            .get_or_insert_with(|| Shaper::new(face.source()))
            .as_mut()
            .ok()
    }

    fn set_font(&mut self, face: Face, size: f32) {
        self.ops.push(Op::SetFont {
            font: PdfFontHandle::External(FontId(face.id().to_string())),
            size: Pt(size),
        });
    }

    fn rule(&mut self, y: f32, thickness: f32) {
        self.ops.push(Op::SetOutlineColor {
            col: rgb(0.75, 0.75, 0.78),
        });
        self.ops.push(Op::SetOutlineThickness { pt: Pt(thickness) });
        let point = |x: f32| LinePoint {
            p: Point {
                x: Mm(x).into_pt(),
                y: Mm(PAGE_H - y).into_pt(),
            },
            bezier: false,
        };
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![point(MARGIN), point(PAGE_W - MARGIN)],
                is_closed: false,
            },
        });
    }

    fn fill_rect(&mut self, x: f32, y_top: f32, w: f32, h: f32, color: Color) {
        self.ops.push(Op::SetFillColor { col: color });
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: Mm(x).into_pt(),
                y: Mm(PAGE_H - y_top - h).into_pt(),
                width: Mm(w).into_pt(),
                height: Mm(h).into_pt(),
                mode: Some(PaintMode::Fill),
                winding_order: None,
            },
        });
    }

    fn heading(&mut self, title: &str) {
        self.need(16.0);
        self.y += 6.0;
        self.text(MARGIN, self.y, title, 13.0, Face::Bold);
        self.y += 2.0;
        self.rule(self.y, 0.5);
        self.y += 5.0;
    }

    fn paragraph(&mut self, text: &str, size: f32, face: Face) {
        let lines = self.fonts.wrap(face, text, size, PAGE_W - 2.0 * MARGIN, 12);
        for line in lines {
            self.need(size * 0.5);
            self.text(MARGIN, self.y, &line, size, face);
            self.y += size * 0.45;
        }
    }

    fn key_value(&mut self, key: &str, value: &str) {
        self.need(5.0);
        self.text(MARGIN, self.y, key, 9.0, Face::Bold);
        let v = self
            .fonts
            .fit(Face::Regular, value, 9.0, PAGE_W - 2.0 * MARGIN - 45.0);
        self.text(MARGIN + 45.0, self.y, &v, 9.0, Face::Regular);
        self.y += 5.0;
    }

    /// One table row: cells at the given x offsets (mm from the margin) and widths.
    fn row(&mut self, cells: &[(f32, f32, &str)], size: f32, face: Face) {
        let y = self.y;
        for (x, w, text) in cells {
            let t = self.fonts.fit(face, text, size, *w - 1.5);
            self.text(MARGIN + x, y, &t, size, face);
        }
    }

    /// Page footers, then the pages.
    fn finish(mut self) -> (Vec<PdfPage>, Used) {
        let ops = std::mem::take(&mut self.ops);
        self.pages.push(ops);
        let total = self.pages.len();
        let mut pages = Vec::with_capacity(total);
        let mut all = std::mem::take(&mut self.pages);
        for (i, page_ops) in all.iter_mut().enumerate() {
            self.ops = std::mem::take(page_ops);
            let footer = format!("Page {} of {}", i + 1, total);
            let width = Pt(self.fonts.text_width(Face::Regular, &footer, 8.0))
                .into_mm()
                .0;
            self.text_colored(
                PAGE_W - MARGIN - width,
                PAGE_H - 8.0,
                &footer,
                8.0,
                Face::Regular,
                rgb(0.45, 0.45, 0.45),
            );
            let mut ops = std::mem::take(&mut self.ops);
            // The footer grew the page's operations again: held until the document is written.
            ops.shrink_to_fit();
            pages.push(PdfPage::new(Mm(PAGE_W), Mm(PAGE_H), ops));
        }
        (pages, self.used)
    }
}

trait IntoMm {
    fn into_mm(self) -> Mm;
}

impl IntoMm for Pt {
    fn into_mm(self) -> Mm {
        Mm(self.0 * 25.4 / 72.0)
    }
}

/// The PDF report. `key_fingerprint` names the signing key when the report goes into a bundle.
pub fn report_pdf(
    snap: &ReleaseSnapshot,
    key_fingerprint: Option<&str>,
) -> Result<Vec<u8>, ReportError> {
    let fonts = fonts()?;
    let draft = snap.seal.is_none();
    let mut l = Layout::new(
        fonts,
        format!(
            "{} {} · security evidence report{}",
            snap.project,
            snap.release,
            if draft { " · DRAFT" } else { "" }
        ),
    );
    l.running_header();
    cover(&mut l, snap, key_fingerprint);
    counts(&mut l, snap);
    diff(&mut l, snap);
    decisions(&mut l, snap)?;
    scans(&mut l, snap);
    controls(&mut l, snap)?;

    let (mut pages, used) = l.finish();
    let mut doc = PdfDocument::new(&format!(
        "{} {} security evidence",
        snap.project, snap.release
    ));
    doc.metadata.info.creator = snap.generator.clone();
    doc.metadata.info.producer = snap.generator.clone();
    let mut renumbered: [BTreeMap<u16, u16>; 3] = Default::default();
    for face in Face::ALL {
        let chars = &used.chars[face as usize];
        let glyphs = &used.glyphs[face as usize];
        if chars.is_empty() && glyphs.is_empty() {
            continue;
        }
        let (font, numbers) = subset(face, fonts.font(face), chars, glyphs)?;
        renumbered[face as usize] = numbers;
        doc.resources
            .fonts
            .map
            .insert(FontId(face.id().to_string()), printpdf::PdfFont::new(font));
    }
    for page in &mut pages {
        renumber_glyphs(&mut page.ops, &renumbered);
    }
    doc.with_pages(pages);
    let mut warnings = Vec::new();
    let bytes = doc.save(&PdfSaveOptions::default(), &mut warnings);
    Ok(fix_document_id(bytes))
}

/// The face cut down to the glyphs of `chars` and `glyphs` (and `.notdef`), with a Unicode
/// cmap, so the PDF embeds kilobytes instead of the whole font (printpdf subsets only with its
/// `text_layout` feature, which pulls in a layout engine we do not need). Also each kept
/// glyph's new number: text drawn by glyph id must use it.
fn subset(
    face: Face,
    font: &ParsedFont,
    chars: &BTreeSet<char>,
    glyphs: &BTreeSet<u16>,
) -> Result<(ParsedFont, BTreeMap<u16, u16>), ReportError> {
    use allsorts::binary::read::ReadScope;
    use allsorts::font_data::FontData;
    use allsorts::subset::{CmapTarget, SubsetProfile};
    let source = face.source();
    let mut ids: Vec<u16> = chars
        .iter()
        .filter_map(|c| font.lookup_glyph_index(*c as u32))
        .chain(glyphs.iter().copied())
        .filter(|g| *g != 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.insert(0, 0);
    // The subset numbers its glyphs in the order given.
    let numbers: BTreeMap<u16, u16> = ids
        .iter()
        .enumerate()
        .filter_map(|(new, old)| Some((*old, u16::try_from(new).ok()?)))
        .collect();
    let error = |e: String| ReportError::Pdf(format!("subsetting {}: {e}", face.id()));
    let scope = ReadScope::new(source);
    let data = scope
        .read::<FontData<'_>>()
        .map_err(|e| error(e.to_string()))?;
    let provider = data.table_provider(0).map_err(|e| error(e.to_string()))?;
    let bytes = allsorts::subset::subset(&provider, &ids, &SubsetProfile::Pdf, CmapTarget::Unicode)
        .map_err(|e| error(e.to_string()))?;
    let mut warnings = Vec::new();
    let font = ParsedFont::from_bytes(&bytes, 0, &mut warnings)
        .ok_or_else(|| error("the subset does not parse".into()))?;
    Ok((font, numbers))
}

/// Text drawn by glyph id names the full font's glyphs; give each the number it has in its
/// face's subset (`.notdef` for one the subset lacks, which cannot happen: every drawn glyph
/// is kept).
fn renumber_glyphs(ops: &mut [Op], renumbered: &[BTreeMap<u16, u16>; 3]) {
    let mut face = None;
    for op in ops {
        match op {
            Op::SetFont {
                font: PdfFontHandle::External(FontId(id)),
                ..
            } => face = Face::from_id(id),
            Op::ShowText { items } => {
                let Some(numbers) = face.map(|f| &renumbered[f as usize]) else {
                    continue;
                };
                for item in items {
                    if let TextItem::GlyphIds(glyphs) = item {
                        for g in glyphs {
                            g.gid = numbers.get(&g.gid).copied().unwrap_or(0);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// printpdf writes a random `/ID [(a) (b)]` trailer entry; make both ids a hash of everything
/// before the trailer, so the same content gives the same file. Same length, so offsets hold.
fn fix_document_id(mut bytes: Vec<u8>) -> Vec<u8> {
    let needle = b"/ID";
    let Some(pos) = bytes.windows(needle.len()).rposition(|w| w == needle) else {
        return bytes;
    };
    let digest = hex::encode(Sha256::digest(&bytes[..pos]));
    let mut replacement = digest.as_bytes().iter().cycle();
    let mut i = pos + needle.len();
    let mut depth_in_string = false;
    while i < bytes.len() {
        match bytes[i] {
            b'(' if !depth_in_string => depth_in_string = true,
            b')' if depth_in_string => depth_in_string = false,
            b']' if !depth_in_string => break,
            _ if depth_in_string => {
                if let Some(c) = replacement.next() {
                    bytes[i] = *c;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes
}

fn cover(l: &mut Layout<'_>, snap: &ReleaseSnapshot, key_fingerprint: Option<&str>) {
    l.y = 30.0;
    l.text(MARGIN, l.y, "Security evidence report", 20.0, Face::Bold);
    l.y += 11.0;
    let name = l.fonts.fit(
        Face::Bold,
        &format!("{} {}", snap.project, snap.release),
        16.0,
        PAGE_W - 2.0 * MARGIN,
    );
    l.text(MARGIN, l.y, &name, 16.0, Face::Bold);
    l.y += 10.0;
    if snap.seal.is_none() {
        l.fill_rect(
            MARGIN,
            l.y - 5.0,
            PAGE_W - 2.0 * MARGIN,
            8.0,
            rgb(1.0, 0.95, 0.7),
        );
        l.text(
            MARGIN + 2.0,
            l.y,
            "DRAFT: this release is open; scans and decisions may still change.",
            10.0,
            Face::Bold,
        );
        l.y += 10.0;
    }
    l.key_value("Project", &snap.project);
    l.key_value("Release", &snap.release);
    l.key_value("Release created", &format_time(&snap.release_created_at));
    match &snap.seal {
        Some(seal) => {
            l.key_value("Sealed", &format_time(&seal.sealed_at));
            l.key_value("Sealed by", &seal.sealed_by);
        }
        None => l.key_value("Sealed", "no (draft)"),
    }
    l.key_value("Scans", &snap.scans.len().to_string());
    l.key_value(
        "Findings",
        &format!(
            "{} ({})",
            snap.findings.len(),
            severity_line(&snap.counts_by_severity())
        ),
    );
    if let Some(policy) = &snap.policy {
        l.key_value("Policy version", &policy.version);
    }
    if let Some(fp) = key_fingerprint {
        l.key_value("Signing key", fp);
    }
    if let Some(prev) = &snap.previous_bundle {
        l.key_value(
            "Previous bundle",
            &format!("{} {}", prev.release, prev.sha256),
        );
    }
    l.key_value("Generated by", &snap.generator);

    l.y += 6.0;
    let (verdict, color) = if snap.gate.verdict.is_passed() {
        ("Gate: PASSED", rgb(0.1, 0.5, 0.2))
    } else {
        ("Gate: BLOCKED", rgb(0.8, 0.1, 0.1))
    };
    l.fill_rect(
        MARGIN,
        l.y - 7.0,
        PAGE_W - 2.0 * MARGIN,
        11.0,
        rgb(0.96, 0.96, 0.97),
    );
    l.text_colored(MARGIN + 3.0, l.y, verdict, 16.0, Face::Bold, color);
    l.y += 10.0;
    let mut rule = format!("Blocking: open findings at {} or above", snap.gate.fail_on);
    if !snap.gate.required_tools.is_empty() {
        rule.push_str(&format!(
            "; required scans: {}",
            snap.gate.required_tools.join(", ")
        ));
    }
    l.paragraph(&rule, 9.0, Face::Regular);
    if let Some(reason) = snap
        .seal
        .as_ref()
        .and_then(|s| s.allow_blocked_reason.as_ref())
    {
        l.paragraph(
            &format!("Sealed although blocked. Reason: {reason}"),
            9.0,
            Face::Bold,
        );
    }
    let reasons = snap.gate.reasons.len();
    for r in snap.gate.reasons.iter().take(12) {
        l.need(5.0);
        let line = l.fonts.fit(
            Face::Regular,
            &format!("• {}", r.message),
            8.5,
            PAGE_W - 2.0 * MARGIN,
        );
        l.text(MARGIN + 2.0, l.y, &line, 8.5, Face::Regular);
        l.y += 4.3;
    }
    if reasons > 12 {
        l.paragraph(
            &format!(
                "… and {} more reasons: every blocking finding is listed below.",
                reasons - 12
            ),
            8.5,
            Face::Regular,
        );
    }
    let decided = &snap.gate.decided_in_tool;
    if !decided.is_empty() {
        l.paragraph(
            &format!("Decided in the tools, not blocking ({}):", decided.len()),
            8.5,
            Face::Bold,
        );
        for line in decided.iter().take(12) {
            l.paragraph(&format!("• {line}"), 8.5, Face::Regular);
        }
        if decided.len() > 12 {
            l.paragraph(
                &format!(
                    "… and {} more (the bundle's manifest.json lists every one).",
                    decided.len() - 12
                ),
                8.5,
                Face::Regular,
            );
        }
    }
}

fn counts(l: &mut Layout<'_>, snap: &ReleaseSnapshot) {
    l.heading("Findings by severity and tool");
    let col = |i: usize| 50.0 + i as f32 * 19.0;
    let mut header: Vec<(f32, f32, &str)> = vec![(0.0, 50.0, "Tool")];
    for (i, s) in SEVERITIES.iter().enumerate() {
        header.push((col(i), 19.0, s));
    }
    header.push((col(SEVERITIES.len()), 19.0, "total"));
    l.row(&header, 9.0, Face::Bold);
    l.y += 2.0;
    l.rule(l.y, 0.3);
    l.y += 4.5;
    let mut rows: Vec<(String, Vec<u64>)> = snap
        .counts_by_tool()
        .into_iter()
        .map(|(tool, c)| {
            (
                tool,
                SEVERITIES
                    .iter()
                    .map(|s| c.get(*s).copied().unwrap_or(0))
                    .collect(),
            )
        })
        .collect();
    let all: Vec<u64> = SEVERITIES
        .iter()
        .map(|s| snap.counts_by_severity().get(s).copied().unwrap_or(0))
        .collect();
    rows.push(("all tools".into(), all));
    let last = rows.len() - 1;
    for (i, (tool, values)) in rows.iter().enumerate() {
        l.need(5.0);
        let texts: Vec<String> = values.iter().map(u64::to_string).collect();
        let total = values.iter().sum::<u64>().to_string();
        let mut cells: Vec<(f32, f32, &str)> = vec![(0.0, 50.0, tool.as_str())];
        for (j, t) in texts.iter().enumerate() {
            cells.push((col(j), 19.0, t.as_str()));
        }
        cells.push((col(SEVERITIES.len()), 19.0, total.as_str()));
        l.row(
            &cells,
            9.0,
            if i == last { Face::Bold } else { Face::Regular },
        );
        l.y += 4.8;
    }
}

fn diff(l: &mut Layout<'_>, snap: &ReleaseSnapshot) {
    let Some(diff) = &snap.diff else {
        l.heading("Changes since the previous release");
        l.paragraph(
            "This is the project's first release: nothing to compare with.",
            9.0,
            Face::Regular,
        );
        return;
    };
    l.heading(&format!("Changes since {}", diff.previous_release));
    l.paragraph(
        &format!(
            "{} new · {} fixed · {} still open · {} not rescanned (their scan was not repeated, so nobody knows){}",
            diff.new,
            diff.fixed,
            diff.still_open,
            diff.not_rescanned,
            diff.refined_note()
        ),
        9.0,
        Face::Regular,
    );
    for (title, lines, total) in [
        ("New", &diff.new_findings, diff.new),
        ("Fixed", &diff.fixed_findings, diff.fixed),
    ] {
        if lines.is_empty() {
            continue;
        }
        l.y += 2.0;
        l.need(10.0);
        l.text(MARGIN, l.y, &format!("{title} ({total})"), 10.0, Face::Bold);
        l.y += 5.0;
        for d in lines.iter().take(MAX_DIFF_ROWS) {
            l.need(5.0);
            l.text_colored(
                MARGIN,
                l.y,
                &d.severity,
                8.0,
                Face::Bold,
                severity_color(&d.severity),
            );
            l.row(
                &[
                    (16.0, 40.0, d.rule_id.as_str()),
                    (56.0, 80.0, d.title.as_str()),
                    (136.0, 44.0, d.location.as_str()),
                ],
                8.0,
                Face::Regular,
            );
            l.y += 4.2;
        }
        if total as usize > MAX_DIFF_ROWS {
            l.paragraph(
                &format!(
                    "… and {} more (findings.json has the full view).",
                    total as usize - MAX_DIFF_ROWS
                ),
                8.0,
                Face::Regular,
            );
        }
    }
}

fn decision_text(f: &ViewFinding) -> String {
    let mut parts = Vec::new();
    if let Some(j) = f.justification() {
        parts.push(j.to_string());
    }
    if let Some(a) = f.approver() {
        parts.push(format!("approved by {a}"));
    }
    if let Some(d) = f.decided_by() {
        parts.push(match f.decided_at() {
            Some(t) => format!("decided by {d} on {}", t.date()),
            None => format!("decided by {d}"),
        });
    }
    if let Some(e) = f.expires_at() {
        parts.push(format!("expires {}", e.date()));
    }
    if parts.is_empty() {
        "no decision recorded".into()
    } else {
        parts.join(" · ")
    }
}

/// The first [`MAX_LISTED_ROWS`] findings that block the gate or were decided, most severe
/// first, then by status, rule and fingerprint; and how many there are in all. Never holds
/// more than twice the rows it keeps.
fn listed_findings(snap: &ReleaseSnapshot) -> Result<(Vec<ViewFinding>, usize), ReportError> {
    let order = |a: &ViewFinding, b: &ViewFinding| {
        severity_rank(a.severity.as_str())
            .cmp(&severity_rank(b.severity.as_str()))
            .then_with(|| a.status.as_str().cmp(b.status.as_str()))
            .then_with(|| a.rule_id.cmp(&b.rule_id))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    };
    let wanted = snap.decided_or_blocking_test();
    let mut kept: Vec<ViewFinding> = Vec::new();
    let mut total = 0;
    snap.findings.try_for_each(|f| {
        if wanted(f) {
            total += 1;
            kept.push(f.clone());
            if kept.len() >= 2 * MAX_LISTED_ROWS {
                kept.sort_by(order);
                kept.truncate(MAX_LISTED_ROWS);
            }
        }
        Ok(())
    })?;
    kept.sort_by(order);
    kept.truncate(MAX_LISTED_ROWS);
    Ok((kept, total))
}

fn decisions(l: &mut Layout<'_>, snap: &ReleaseSnapshot) -> Result<(), ReportError> {
    let (listed, total) = listed_findings(snap)?;
    l.heading(&format!(
        "Blocking, accepted and false-positive findings ({total})"
    ));
    if listed.is_empty() {
        l.paragraph(
            "None: no finding blocks the gate and none was accepted or marked false positive.",
            9.0,
            Face::Regular,
        );
    }
    let header = |l: &mut Layout<'_>| {
        l.row(
            &[
                (0.0, 16.0, "Severity"),
                (16.0, 22.0, "Status"),
                (38.0, 38.0, "Rule"),
                (76.0, 62.0, "Title"),
                (138.0, 42.0, "Location"),
            ],
            8.0,
            Face::Bold,
        );
        l.y += 1.5;
        l.rule(l.y, 0.3);
        l.y += 4.0;
    };
    if !listed.is_empty() {
        l.need(12.0);
        header(l);
    }
    for f in &listed {
        if l.y + 9.0 > PAGE_H - BOTTOM {
            l.new_page();
            header(l);
        }
        l.text_colored(
            MARGIN,
            l.y,
            f.severity.as_str(),
            8.0,
            Face::Bold,
            severity_color(f.severity.as_str()),
        );
        let location = f.location();
        l.row(
            &[
                (16.0, 22.0, f.status.as_str()),
                (38.0, 38.0, f.rule_id.as_str()),
                (76.0, 62.0, f.title.as_str()),
                (138.0, 42.0, location.as_str()),
            ],
            8.0,
            Face::Regular,
        );
        l.y += 3.8;
        let decision = l.fonts.fit(
            Face::Regular,
            &format!(
                "{} · {} · {}",
                f.tool,
                f.fingerprint.get(..16).unwrap_or(&f.fingerprint),
                decision_text(f)
            ),
            7.0,
            PAGE_W - 2.0 * MARGIN - 16.0,
        );
        l.text_colored(
            MARGIN + 16.0,
            l.y,
            &decision,
            7.0,
            Face::Regular,
            rgb(0.35, 0.35, 0.4),
        );
        l.y += 4.6;
    }
    if total > listed.len() {
        l.y += 3.0;
        l.paragraph(
            &format!(
                "{} more are not listed here (the list stops at {MAX_LISTED_ROWS}, most severe first): report.html lists every one, triage.json every decision, and findings.csv, findings.json and findings.sarif every finding.",
                total - listed.len()
            ),
            8.5,
            Face::Regular,
        );
    }
    let others = snap.findings.len() - total;
    l.y += 3.0;
    l.paragraph(
        &format!(
            "The other {others} findings are summarized in the counts above; findings.csv, findings.json and findings.sarif in the evidence bundle list every finding."
        ),
        8.5,
        Face::Regular,
    );
    Ok(())
}

fn scans(l: &mut Layout<'_>, snap: &ReleaseSnapshot) {
    l.heading(&format!("Scans ({})", snap.scans.len()));
    for s in &snap.scans {
        l.need(18.0);
        let title = format!(
            "{}{} · {}",
            s.tool,
            s.tool_version
                .as_deref()
                .map(|v| format!(" {v}"))
                .unwrap_or_default(),
            s.label
        );
        let title = l.fonts.fit(Face::Bold, &title, 9.0, PAGE_W - 2.0 * MARGIN);
        l.text(MARGIN, l.y, &title, 9.0, Face::Bold);
        l.y += 4.3;
        let line = format!(
            "{} findings ({}) · scanned {} · uploaded {} by {} · {} bytes{}",
            s.total_findings(),
            severity_line(&s.by_severity),
            s.scanned_at.as_deref().unwrap_or("?"),
            format_time(&s.uploaded_at),
            s.uploaded_by,
            s.size,
            if s.partial { " · partial report" } else { "" }
        );
        let line = l
            .fonts
            .fit(Face::Regular, &line, 8.0, PAGE_W - 2.0 * MARGIN);
        l.text(MARGIN, l.y, &line, 8.0, Face::Regular);
        l.y += 4.0;
        for line in [
            format!("SHA-256 {}", s.sha256),
            format!("in the bundle: {}", s.bundle_path()),
        ] {
            let line = l
                .fonts
                .fit(Face::Regular, &line, 7.0, PAGE_W - 2.0 * MARGIN);
            l.text_colored(MARGIN, l.y, &line, 7.0, Face::Regular, rgb(0.35, 0.35, 0.4));
            l.y += 3.4;
        }
        l.y += 2.6;
    }
}

/// The control mapping's criteria, each with its status and evidence, on a page of its own.
fn controls(l: &mut Layout<'_>, snap: &ReleaseSnapshot) -> Result<(), ReportError> {
    use crate::controls::ControlStatus;
    let report = crate::controls::controls_report(snap)?;
    l.new_page();
    l.heading(&format!(
        "Controls ({} met, {} exceptions, {} not met)",
        report.summary.get("met").copied().unwrap_or(0),
        report.summary.get("exception").copied().unwrap_or(0),
        report.summary.get("not_met").copied().unwrap_or(0),
    ));
    l.paragraph(
        &format!(
            "Mapping: {} (version {}, SHA-256 {}). Each criterion is as good as its weakest \
             evidence; the bundle member that holds each item is named on its right \
             (controls.json has them in full).",
            report.mapping.name,
            report.mapping.version,
            &report.mapping.sha256[..12.min(report.mapping.sha256.len())]
        ),
        8.0,
        Face::Regular,
    );
    l.y += 2.0;
    for c in &report.criteria {
        l.need(14.0);
        let (label, color) = match &c.status {
            ControlStatus::Met => ("MET", rgb(0.13, 0.55, 0.25)),
            ControlStatus::Exception { .. } => ("EXCEPTION", rgb(0.80, 0.50, 0.05)),
            ControlStatus::NotMet { .. } => ("NOT MET", rgb(0.75, 0.12, 0.12)),
        };
        l.text_colored(MARGIN, l.y, label, 8.5, Face::Bold, color);
        let title = format!("{} · {} · {}", c.id, c.framework, c.title);
        let title = l
            .fonts
            .fit(Face::Bold, &title, 9.0, PAGE_W - 2.0 * MARGIN - 24.0);
        l.text(MARGIN + 24.0, l.y, &title, 9.0, Face::Bold);
        l.y += 4.3;
        let width = PAGE_W - 2.0 * MARGIN;
        for e in &c.evidence {
            l.need(4.0);
            let line = format!("{} [{}] {}", e.kind.as_str(), e.status.as_str(), e.detail);
            let line = l.fonts.fit(Face::Regular, &line, 7.0, width - 24.0 - 52.0);
            l.text(MARGIN + 24.0, l.y, &line, 7.0, Face::Regular);
            let members = l.fonts.fit(Face::Regular, &e.members.join(", "), 6.0, 50.0);
            l.text_colored(
                MARGIN + width - 50.0,
                l.y,
                &members,
                6.0,
                Face::Regular,
                rgb(0.35, 0.35, 0.4),
            );
            l.y += 3.3;
        }
        l.y += 2.0;
    }
    Ok(())
}
