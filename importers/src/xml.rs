//! A thin, strict pull reader over quick-xml for the XML formats read element by element (tfsec
//! checkstyle and JUnit, Burp Suite, OWASP ZAP). It streams: one event at a time is read from
//! the input, so a report of any size is never held whole in memory.
//!
//! - Entities: only the five predefined ones and character references are resolved. Custom
//!   entities (declared in a DOCTYPE) are an error, external ones are never fetched, so entity
//!   expansion attacks (billion laughs) cannot grow anything. A DOCTYPE itself (Burp writes one
//!   with element declarations) is read past.
//! - A document that ends with elements still open is an error (a cut file), as is one with no
//!   root element, and one nested deeper than [`MAX_DEPTH`].

use crate::error::{ImportError, Position};
use quick_xml::XmlVersion;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;
use std::io::{BufReader, Read};

pub(crate) struct XmlReader<'a> {
    reader: Reader<BufReader<&'a mut dyn Read>>,
    /// The bytes of the event being read.
    buf: Vec<u8>,
    format: &'static str,
    /// Names of the open elements.
    open: Vec<String>,
    root_seen: bool,
}

/// What the callers need of an event.
pub(crate) enum Item {
    /// A start tag, or an empty element (`empty` = true, no matching end will follow).
    Start {
        element: BytesStart<'static>,
        empty: bool,
    },
    End,
    Eof,
}

/// An event, owned, with text kept only when asked for.
enum Raw {
    Start(BytesStart<'static>),
    Empty(BytesStart<'static>),
    End,
    /// Text, CDATA or a resolved reference (`Err`: an entity that is refused).
    Text(Result<String, String>),
    Eof,
    Other,
}

/// Deeper than this is no report these formats describe (tfsec nests three levels, Burp and
/// ZAP five).
pub(crate) const MAX_DEPTH: usize = 256;

impl<'a> XmlReader<'a> {
    pub fn new(input: &'a mut dyn Read, format: &'static str) -> Self {
        let mut reader = Reader::from_reader(BufReader::with_capacity(64 * 1024, input));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        XmlReader {
            reader,
            buf: Vec::new(),
            format,
            open: Vec::new(),
            root_seen: false,
        }
    }

    pub fn error(&self, message: impl Into<String>) -> ImportError {
        ImportError::malformed(
            self.format,
            Position::byte(self.reader.buffer_position()),
            message,
        )
    }

    /// The next event; the content of text and CDATA only when `text` (else it is skipped
    /// unbuilt), references always resolved (an unknown entity is refused wherever it is).
    fn raw_event(&mut self, text: bool) -> Result<Raw, ImportError> {
        self.buf.clear();
        let event = match self.reader.read_event_into(&mut self.buf) {
            Ok(event) => event,
            Err(e) => {
                return Err(ImportError::malformed(
                    self.format,
                    Position::byte(self.reader.error_position()),
                    format!("invalid XML: {e}"),
                ));
            }
        };
        Ok(match event {
            Event::Start(e) => Raw::Start(e.into_owned()),
            Event::Empty(e) => Raw::Empty(e.into_owned()),
            Event::End(_) => Raw::End,
            Event::Text(t) if text => {
                Raw::Text(Ok(t.xml_content(XmlVersion::Implicit1_0).into_owned()))
            }
            Event::CData(c) if text => {
                Raw::Text(Ok(c.xml_content(XmlVersion::Implicit1_0).into_owned()))
            }
            Event::GeneralRef(r) => Raw::Text(resolve(&r)),
            Event::Eof => Raw::Eof,
            _ => Raw::Other,
        })
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// The next start, empty or end tag (text, comments, declarations and DOCTYPE skipped).
    pub fn next(&mut self) -> Result<Item, ImportError> {
        loop {
            match self.raw_event(false)? {
                Raw::Start(element) => {
                    self.enter(&element)?;
                    return Ok(Item::Start {
                        element,
                        empty: false,
                    });
                }
                Raw::Empty(element) => {
                    self.root_seen = true;
                    return Ok(Item::Start {
                        element,
                        empty: true,
                    });
                }
                Raw::End => {
                    self.open.pop();
                    return Ok(Item::End);
                }
                // Outside text we care about, still refuse unknown entities.
                Raw::Text(Err(m)) => return Err(self.error(m)),
                Raw::Eof => return self.eof(),
                Raw::Text(Ok(_)) | Raw::Other => {}
            }
        }
    }

    fn enter(&mut self, element: &BytesStart<'_>) -> Result<(), ImportError> {
        if self.open.len() >= MAX_DEPTH {
            return Err(self.error(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        self.root_seen = true;
        self.open.push(element.name().as_ref().to_string());
        Ok(())
    }

    fn eof(&self) -> Result<Item, ImportError> {
        if let Some(name) = self.open.last() {
            return Err(self.error(format!(
                "unexpected end of input: <{name}> is not closed (truncated file?)"
            )));
        }
        if !self.root_seen {
            return Err(self.error("no root element"));
        }
        Ok(Item::Eof)
    }

    /// The text content of the element just opened (by a non-empty start tag), up to its end
    /// tag; nested elements' text is included.
    pub fn text(&mut self) -> Result<String, ImportError> {
        let depth = self.open.len();
        let mut out = String::new();
        loop {
            match self.raw_event(true)? {
                // The usual single text node is moved, not copied.
                Raw::Text(Ok(s)) if out.is_empty() => out = s,
                Raw::Text(Ok(s)) => out.push_str(&s),
                Raw::Text(Err(m)) => return Err(self.error(m)),
                Raw::Start(e) => self.enter(&e)?,
                Raw::End => {
                    self.open.pop();
                    if self.open.len() < depth {
                        return Ok(out);
                    }
                }
                Raw::Eof => {
                    self.eof()?;
                    return Err(self.error("unexpected end of input"));
                }
                Raw::Empty(_) | Raw::Other => {}
            }
        }
    }

    /// [`XmlReader::text`] trimmed, `None` when blank.
    pub fn trimmed_text(&mut self) -> Result<Option<String>, ImportError> {
        let text = self.text()?;
        let trimmed = text.trim();
        Ok(if trimmed.len() == text.len() {
            (!text.is_empty()).then_some(text)
        } else {
            (!trimmed.is_empty()).then(|| trimmed.to_string())
        })
    }

    /// Like [`XmlReader::text`], but keeps at most `max` bytes (cut on a character boundary)
    /// and reads past the rest without building it: for elements that may be huge (a request
    /// or response) of which only the start is wanted.
    pub fn text_capped(&mut self, max: usize) -> Result<String, ImportError> {
        let depth = self.open.len();
        let mut out = String::new();
        loop {
            let want = out.len() < max;
            match self.raw_event(want)? {
                Raw::Text(Ok(s)) if want => {
                    let room = max - out.len();
                    let mut end = s.len().min(room);
                    while !s.is_char_boundary(end) {
                        end -= 1;
                    }
                    out.push_str(&s[..end]);
                    if end < s.len() {
                        // Full: the rest is read past unbuilt.
                        return self.skip_rest(depth).map(|()| out);
                    }
                }
                Raw::Text(Err(m)) => return Err(self.error(m)),
                Raw::Start(e) => self.enter(&e)?,
                Raw::End => {
                    self.open.pop();
                    if self.open.len() < depth {
                        return Ok(out);
                    }
                }
                Raw::Eof => {
                    self.eof()?;
                    return Err(self.error("unexpected end of input"));
                }
                Raw::Text(Ok(_)) | Raw::Empty(_) | Raw::Other => {}
            }
        }
    }

    /// Skips the rest of the element just opened (its text unbuilt).
    pub fn skip(&mut self) -> Result<(), ImportError> {
        let depth = self.open.len();
        self.skip_rest(depth)
    }

    /// Reads past events until the element open at `depth` closes.
    fn skip_rest(&mut self, depth: usize) -> Result<(), ImportError> {
        loop {
            match self.raw_event(false)? {
                Raw::Text(Err(m)) => return Err(self.error(m)),
                Raw::Start(e) => self.enter(&e)?,
                Raw::End => {
                    self.open.pop();
                    if self.open.len() < depth {
                        return Ok(());
                    }
                }
                Raw::Eof => {
                    self.eof()?;
                    return Err(self.error("unexpected end of input"));
                }
                Raw::Text(Ok(_)) | Raw::Empty(_) | Raw::Other => {}
            }
        }
    }

    /// Several attributes' values in one pass, in the order of `names`.
    pub fn attrs<const N: usize>(
        &self,
        element: &BytesStart<'_>,
        names: [&str; N],
    ) -> Result<[Option<String>; N], ImportError> {
        let mut out: [Option<String>; N] = std::array::from_fn(|_| None);
        for attr in element.attributes() {
            let attr = attr.map_err(|e| self.error(format!("invalid attribute: {e}")))?;
            let key = attr.key.as_ref();
            if let Some(i) = names.iter().position(|n| *n == key) {
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.error(format!("attribute {key}: {e}")))?;
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(value.into_owned());
                }
            }
        }
        Ok(out)
    }

    /// An attribute's value, entities resolved (predefined and character references only).
    pub fn attr(
        &self,
        element: &BytesStart<'_>,
        name: &str,
    ) -> Result<Option<String>, ImportError> {
        for attr in element.attributes() {
            let attr = attr.map_err(|e| self.error(format!("invalid attribute: {e}")))?;
            if attr.key.as_ref() == name {
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|e| self.error(format!("attribute {name}: {e}")))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }
}

/// A character reference or one of the five predefined entities; anything else is refused.
fn resolve(r: &BytesRef<'_>) -> Result<String, String> {
    match r.resolve_char_ref() {
        Ok(Some(c)) => return Ok(c.to_string()),
        Ok(None) => {}
        Err(e) => return Err(format!("invalid character reference: {e}")),
    }
    let name = r.xml_content(XmlVersion::Implicit1_0);
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_string)
        .ok_or_else(|| {
            format!("entity &{name}; is not expanded (custom and external entities never are)")
        })
}
