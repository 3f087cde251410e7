//! Characters that URIs and IRIs never hold as they are (RFC 3986, RFC 3987), shared by the
//! writers that put a scanner's text into one: SARIF's artifact locations, OpenVEX's product ids.

use percent_encoding::{AsciiSet, CONTROLS};

/// Controls, the space, `"`, `<`, `>`, `\`, `^`, the backquote, `{`, `|` and `}`: what no URI
/// or IRI holds unescaped, whatever part it is in.
pub(crate) const NEVER_IN_URI: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');
