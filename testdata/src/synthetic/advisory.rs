//! The phrase bank of package advisories (Trivy, FOSSA): packages that exist, with versions of
//! their usual shape, and titles and descriptions put together from parts that fit the package
//! (a TLS library gets certificate parsing, an image library a BMP decoder), chosen by the seed.
//!
//! Titles follow one of [`TITLE_TEMPLATES`]; [`is_advisory_title`] tells whether a title does,
//! which the tests use to prove that no title is word salad.

use rand::RngExt;

use super::{Rng, index, pick};

/// One kind of weakness, worded as advisories word it.
pub(crate) struct Flaw {
    /// "out-of-bounds write"
    name: &'static str,
    /// "a" or "an", for the description.
    article: &'static str,
    /// What the code does wrong, as a sentence without its final stop.
    cause: &'static str,
    /// What a crafted input then makes it do: "writes past the end of a heap buffer".
    effect: &'static str,
    /// What an attacker gains: "denial of service".
    impacts: &'static [&'static str],
    pub(crate) cwe: u32,
}

const OOB_WRITE: Flaw = Flaw {
    name: "out-of-bounds write",
    article: "an",
    cause: "A length read from the input is not checked against the size of the destination buffer",
    effect: "writes past the end of a heap buffer",
    impacts: &["denial of service", "arbitrary code execution"],
    cwe: 787,
};
const OOB_READ: Flaw = Flaw {
    name: "out-of-bounds read",
    article: "an",
    cause: "A bounds check uses the length the input declares instead of the bytes actually available",
    effect: "reads past the end of the input buffer",
    impacts: &["denial of service", "disclosure of process memory"],
    cwe: 125,
};
const HEAP_OVERFLOW: Flaw = Flaw {
    name: "heap-based buffer overflow",
    article: "a",
    cause: "A copy loop trusts a count field taken from the input",
    effect: "overflows a heap buffer",
    impacts: &["denial of service", "arbitrary code execution"],
    cwe: 122,
};
const USE_AFTER_FREE: Flaw = Flaw {
    name: "use-after-free",
    article: "a",
    cause: "An error path releases an object that the caller still uses",
    effect: "uses memory after it has been freed",
    impacts: &["denial of service", "arbitrary code execution"],
    cwe: 416,
};
const DOUBLE_FREE: Flaw = Flaw {
    name: "double free",
    article: "a",
    cause: "The same buffer is released both on the error path and by the cleanup code",
    effect: "frees the same memory twice",
    impacts: &["denial of service", "memory corruption"],
    cwe: 415,
};
const INTEGER_OVERFLOW: Flaw = Flaw {
    name: "integer overflow",
    article: "an",
    cause: "An allocation size is computed from two input values without checking for overflow",
    effect: "allocates a buffer that is too small and then writes past it",
    impacts: &["denial of service", "memory corruption"],
    cwe: 190,
};
const NULL_DEREF: Flaw = Flaw {
    name: "NULL pointer dereference",
    article: "a",
    cause: "An optional field that is missing is not checked before use",
    effect: "dereferences a NULL pointer and crashes",
    impacts: &["denial of service"],
    cwe: 476,
};
const STACK_EXHAUSTION: Flaw = Flaw {
    name: "stack exhaustion",
    article: "a",
    cause: "Nested structures are handled recursively without a depth limit",
    effect: "recurses until the stack is exhausted",
    impacts: &["denial of service"],
    cwe: 674,
};
const INFINITE_LOOP: Flaw = Flaw {
    name: "infinite loop",
    article: "an",
    cause: "A loop does not advance when it meets an unexpected value",
    effect: "loops forever and uses a full CPU core",
    impacts: &["denial of service"],
    cwe: 835,
};
const RESOURCE_CONSUMPTION: Flaw = Flaw {
    name: "uncontrolled resource consumption",
    article: "an",
    cause: "The size of the decoded data is not limited",
    effect: "allocates memory in proportion to a value the sender chooses",
    impacts: &["denial of service"],
    cwe: 400,
};
const INPUT_VALIDATION: Flaw = Flaw {
    name: "improper input validation",
    article: "an",
    cause: "Values are accepted without checking that they are well formed",
    effect: "accepts malformed data that later code relies on",
    impacts: &["denial of service", "bypass of security checks"],
    cwe: 20,
};
const REDOS: Flaw = Flaw {
    name: "regular expression denial of service",
    article: "a",
    cause: "A regular expression with nested quantifiers backtracks catastrophically on some inputs",
    effect: "spends time exponential in the length of the input",
    impacts: &["denial of service"],
    cwe: 1333,
};
const PATH_TRAVERSAL: Flaw = Flaw {
    name: "path traversal",
    article: "a",
    cause: "File names taken from the input are joined to a base directory without normalization",
    effect: "reads or writes files outside the intended directory",
    impacts: &[
        "disclosure of arbitrary files",
        "overwriting of arbitrary files",
    ],
    cwe: 22,
};
const CERT_VALIDATION: Flaw = Flaw {
    name: "improper certificate validation",
    article: "an",
    cause: "A certificate chain with an unusual extension is accepted without checking every constraint",
    effect: "accepts a certificate that should have been rejected",
    impacts: &["impersonation of a server", "man-in-the-middle attacks"],
    cwe: 295,
};
const TIMING: Flaw = Flaw {
    name: "timing side channel",
    article: "a",
    cause: "A comparison on secret data takes time that depends on the data",
    effect: "leaks timing information about secret values",
    impacts: &["recovery of private key material"],
    cwe: 208,
};
const CREDENTIAL_LEAK: Flaw = Flaw {
    name: "credential exposure on redirect",
    article: "a",
    cause: "Authorization and Cookie headers are kept when a redirect leads to another host",
    effect: "sends credentials to a host the user did not intend",
    impacts: &["disclosure of credentials"],
    cwe: 200,
};
const SMUGGLING: Flaw = Flaw {
    name: "HTTP request smuggling",
    article: "an",
    cause: "Conflicting Content-Length and Transfer-Encoding headers are not rejected",
    effect: "disagrees with a front-end proxy about where a request ends",
    impacts: &["bypass of front-end access controls", "cache poisoning"],
    cwe: 444,
};
const PROTOTYPE_POLLUTION: Flaw = Flaw {
    name: "prototype pollution",
    article: "a",
    cause: "Keys such as __proto__ in the input are merged into objects without being filtered",
    effect: "changes the prototype shared by all objects",
    impacts: &["denial of service", "bypass of security checks"],
    cwe: 1321,
};
const SANDBOX_ESCAPE: Flaw = Flaw {
    name: "sandbox escape",
    article: "a",
    cause: "The sandbox does not block access to some attributes of formatted strings",
    effect: "lets template code reach the interpreter's internals",
    impacts: &["arbitrary code execution"],
    cwe: 693,
};
const DESERIALIZATION: Flaw = Flaw {
    name: "deserialization of untrusted data",
    article: "a",
    cause: "The loader constructs objects of any class the document names",
    effect: "instantiates classes chosen by the document",
    impacts: &["arbitrary code execution"],
    cwe: 502,
};
const SIGNATURE_BYPASS: Flaw = Flaw {
    name: "signature verification bypass",
    article: "a",
    cause: "The algorithm named in the token header is trusted over the key's own type",
    effect: "accepts tokens signed with the wrong kind of key",
    impacts: &["forging of tokens", "authentication bypass"],
    cwe: 347,
};
const AUTH_BYPASS: Flaw = Flaw {
    name: "improper authentication",
    article: "an",
    cause: "The authentication state machine accepts messages out of order",
    effect: "treats a client as authenticated before it has proved its identity",
    impacts: &["authentication bypass"],
    cwe: 287,
};

/// Flaws of code in memory-unsafe languages.
const NATIVE: &[&Flaw] = &[
    &OOB_WRITE,
    &OOB_READ,
    &HEAP_OVERFLOW,
    &USE_AFTER_FREE,
    &DOUBLE_FREE,
    &INTEGER_OVERFLOW,
    &NULL_DEREF,
    &STACK_EXHAUSTION,
];
/// Flaws any parser may have.
const ANY: &[&Flaw] = &[&INFINITE_LOOP, &RESOURCE_CONSUMPTION, &INPUT_VALIDATION];

/// What a package does: where in it a flaw can sit, what input reaches that place, and the
/// flaws peculiar to such code.
pub(crate) struct Area {
    /// (place, input): ("X.509 certificate parsing", "X.509 certificate")
    places: &'static [(&'static str, &'static str)],
    flaws: &'static [&'static Flaw],
}

const TLS: Area = Area {
    places: &[
        ("X.509 certificate parsing", "X.509 certificate"),
        ("the ASN.1 decoder", "DER-encoded object"),
        ("the TLS handshake", "TLS ClientHello message"),
        ("OCSP response validation", "OCSP response"),
    ],
    flaws: &[&CERT_VALIDATION, &TIMING],
};
const CRYPTO: Area = Area {
    places: &[
        ("RSA decryption", "ciphertext"),
        ("ECDSA signature verification", "signature"),
        ("S-expression parsing", "S-expression"),
    ],
    flaws: &[&TIMING],
};
const HTTP_CLIENT: Area = Area {
    places: &[
        ("cookie handling", "Set-Cookie header"),
        ("redirect handling", "redirect response"),
        ("the SOCKS5 proxy handshake", "proxy host name"),
        ("response header parsing", "HTTP response header"),
    ],
    flaws: &[&CREDENTIAL_LEAK, &REDOS],
};
const HTTP_SERVER: Area = Area {
    places: &[
        ("multipart form parsing", "multipart request"),
        ("request body parsing", "request body"),
        ("query string parsing", "query string"),
        ("chunked transfer decoding", "chunked request"),
    ],
    flaws: &[&SMUGGLING, &REDOS, &PATH_TRAVERSAL],
};
const LIBC: Area = Area {
    places: &[
        ("the getaddrinfo resolver", "DNS response"),
        ("iconv character set conversion", "multibyte string"),
        ("the dynamic loader", "GLIBC_TUNABLES value"),
        ("syslog message formatting", "log message"),
    ],
    flaws: &[],
};
const COMPRESSION: Area = Area {
    places: &[
        ("the inflate routine", "deflate stream"),
        ("gzip header parsing", "gzip header"),
    ],
    flaws: &[],
};
const ARCHIVE: Area = Area {
    places: &[
        ("archive extraction", "tar archive"),
        ("symbolic link handling", "archive entry"),
    ],
    flaws: &[&PATH_TRAVERSAL],
};
const XML: Area = Area {
    places: &[
        ("the XML parser", "XML document"),
        ("entity expansion", "document type definition"),
        ("XPath evaluation", "XPath expression"),
        ("XML schema validation", "XML schema"),
    ],
    flaws: &[],
};
const SCRIPT: Area = Area {
    places: &[
        ("here-document parsing", "script"),
        ("the regular expression engine", "regular expression"),
        ("environment variable import", "environment variable"),
    ],
    flaws: &[],
};
const SYSTEM: Area = Area {
    places: &[
        ("option parsing", "command-line argument"),
        ("configuration file parsing", "configuration file"),
        ("terminal escape handling", "terminal escape sequence"),
    ],
    flaws: &[],
};
const FILESYSTEM: Area = Area {
    places: &[
        ("journal replay", "ext4 file system image"),
        ("directory hashing", "directory entry"),
    ],
    flaws: &[],
};
const KERBEROS: Area = Area {
    places: &[
        ("ticket decoding", "Kerberos ticket"),
        ("the KDC request handler", "AS-REQ message"),
    ],
    flaws: &[&AUTH_BYPASS],
};
const LDAP: Area = Area {
    places: &[
        ("search filter parsing", "LDAP search filter"),
        ("the BER decoder", "BER-encoded message"),
    ],
    flaws: &[],
};
const SQL: Area = Area {
    places: &[
        ("the query planner", "SQL statement"),
        ("the JSON functions", "JSON value"),
    ],
    flaws: &[],
};
const REGEX: Area = Area {
    places: &[
        ("pattern compilation", "pattern"),
        ("the JIT compiler", "regular expression"),
    ],
    flaws: &[&REDOS],
};
const IMAGE: Area = Area {
    places: &[
        ("the BMP decoder", "BMP image"),
        ("the TIFF decoder", "TIFF file"),
        ("font rendering", "font file"),
        ("the PNG chunk reader", "PNG image"),
    ],
    flaws: &[],
};
const NUMERIC: Area = Area {
    places: &[
        ("the npy file loader", "npy file"),
        ("array unpickling", "pickled array"),
    ],
    flaws: &[&DESERIALIZATION],
};
const TEMPLATE: Area = Area {
    places: &[
        ("the sandboxed environment", "template"),
        ("the xmlattr filter", "attribute key"),
    ],
    flaws: &[&SANDBOX_ESCAPE],
};
const YAML: Area = Area {
    places: &[
        ("the full loader", "YAML document"),
        ("alias expansion", "YAML document"),
    ],
    flaws: &[&DESERIALIZATION],
};
const PACKAGING: Area = Area {
    places: &[
        ("version parsing", "version string"),
        ("package index lookup", "package URL"),
    ],
    flaws: &[&REDOS, &PATH_TRAVERSAL],
};
const IDNA: Area = Area {
    places: &[
        ("label decoding", "domain name"),
        ("punycode conversion", "internationalized domain name"),
    ],
    flaws: &[&REDOS],
};
const SSH: Area = Area {
    places: &[
        ("the SSH transport", "SSH packet"),
        ("key exchange", "key exchange message"),
    ],
    flaws: &[&AUTH_BYPASS],
};
const OBJECT: Area = Area {
    places: &[
        ("deep merge", "object key"),
        ("property path handling", "property path"),
    ],
    flaws: &[&PROTOTYPE_POLLUTION],
};
const DATE: Area = Area {
    places: &[
        ("date string parsing", "date string"),
        ("locale loading", "locale name"),
    ],
    flaws: &[&REDOS, &PATH_TRAVERSAL],
};
const JWT: Area = Area {
    places: &[
        ("signature verification", "JSON Web Token"),
        ("key type selection", "JWT header"),
    ],
    flaws: &[&SIGNATURE_BYPASS],
};
const WEBSOCKET: Area = Area {
    places: &[
        ("the upgrade handshake", "Sec-WebSocket-Protocol header"),
        ("frame parsing", "WebSocket frame"),
    ],
    flaws: &[],
};
const SERIALIZATION: Area = Area {
    places: &[
        ("polymorphic type handling", "JSON document"),
        ("message lookup substitution", "log message"),
    ],
    flaws: &[&DESERIALIZATION],
};
const HTTP2: Area = Area {
    places: &[
        ("HTTP/2 stream handling", "HTTP/2 HEADERS frame"),
        ("the HPACK decoder", "header block"),
    ],
    flaws: &[],
};

/// A package an advisory is about.
pub(crate) struct Package {
    pub(crate) name: &'static str,
    area: &'static Area,
    /// Written in a memory-unsafe language (or wraps such code).
    native: bool,
    /// The upstream version (Debian) or its major and minor (language packages).
    version: &'static str,
}

const fn deb(name: &'static str, area: &'static Area, version: &'static str) -> Package {
    Package {
        name,
        area,
        native: true,
        version,
    }
}

const fn lang(name: &'static str, area: &'static Area, version: &'static str) -> Package {
    Package {
        name,
        area,
        native: false,
        version,
    }
}

const fn ext(name: &'static str, area: &'static Area, version: &'static str) -> Package {
    Package {
        name,
        area,
        native: true,
        version,
    }
}

/// Debian 12 packages.
pub(crate) const DEBIAN: &[Package] = &[
    deb("openssl", &TLS, "3.0.13"),
    deb("libssl3", &TLS, "3.0.13"),
    deb("curl", &HTTP_CLIENT, "7.88.1"),
    deb("libcurl4", &HTTP_CLIENT, "7.88.1"),
    deb("glibc", &LIBC, "2.36"),
    deb("libc6", &LIBC, "2.36"),
    deb("zlib1g", &COMPRESSION, "1.2.13"),
    deb("libxml2", &XML, "2.9.14"),
    deb("perl-base", &SCRIPT, "5.36.0"),
    deb("tar", &ARCHIVE, "1.34"),
    deb("bash", &SCRIPT, "5.2.15"),
    deb("systemd", &SYSTEM, "252.22"),
    deb("libsystemd0", &SYSTEM, "252.22"),
    deb("expat", &XML, "2.5.0"),
    deb("libexpat1", &XML, "2.5.0"),
    deb("sqlite3", &SQL, "3.40.1"),
    deb("libsqlite3-0", &SQL, "3.40.1"),
    deb("gnutls28", &TLS, "3.7.9"),
    deb("libgnutls30", &TLS, "3.7.9"),
    deb("krb5", &KERBEROS, "1.20.1"),
    deb("libkrb5-3", &KERBEROS, "1.20.1"),
    deb("openldap", &LDAP, "2.5.13"),
    deb("libldap-2.5-0", &LDAP, "2.5.13"),
    deb("ncurses", &SYSTEM, "6.4"),
    deb("libncursesw6", &SYSTEM, "6.4"),
    deb("util-linux", &SYSTEM, "2.38.1"),
    deb("e2fsprogs", &FILESYSTEM, "1.47.0"),
    deb("libtasn1-6", &TLS, "4.19.0"),
    deb("libgcrypt20", &CRYPTO, "1.10.1"),
    deb("pcre2", &REGEX, "10.42"),
    deb("libpcre2-8-0", &REGEX, "10.42"),
    deb("shadow", &SYSTEM, "4.13"),
    deb("login", &SYSTEM, "4.13"),
    deb("apt", &PACKAGING, "2.6.1"),
    deb("dpkg", &ARCHIVE, "1.21.22"),
    deb("coreutils", &SYSTEM, "9.1"),
];

/// PyPI packages.
pub(crate) const PYTHON: &[Package] = &[
    lang("django", &HTTP_SERVER, "4.2"),
    lang("flask", &HTTP_SERVER, "2.3"),
    lang("requests", &HTTP_CLIENT, "2.31"),
    lang("urllib3", &HTTP_CLIENT, "1.26"),
    lang("jinja2", &TEMPLATE, "3.1"),
    lang("werkzeug", &HTTP_SERVER, "2.3"),
    lang("pyyaml", &YAML, "6.0"),
    ext("cryptography", &TLS, "41.0"),
    ext("pillow", &IMAGE, "10.2"),
    ext("numpy", &NUMERIC, "1.26"),
    lang("setuptools", &PACKAGING, "68.0"),
    lang("idna", &IDNA, "3.6"),
    lang("sqlalchemy", &SQL, "2.0"),
    lang("paramiko", &SSH, "3.4"),
    ext("lxml", &XML, "5.1"),
    lang("aiohttp", &HTTP_SERVER, "3.9"),
    lang("gunicorn", &HTTP_SERVER, "21.2"),
];

/// npm packages.
pub(crate) const NODE: &[Package] = &[
    lang("lodash", &OBJECT, "4.17"),
    lang("express", &HTTP_SERVER, "4.18"),
    lang("minimist", &OBJECT, "1.2"),
    lang("axios", &HTTP_CLIENT, "1.6"),
    lang("moment", &DATE, "2.29"),
    lang("jsonwebtoken", &JWT, "9.0"),
    lang("ws", &WEBSOCKET, "8.16"),
    lang("semver", &PACKAGING, "7.5"),
    lang("tar", &ARCHIVE, "6.2"),
    lang("glob-parent", &REGEX, "5.1"),
    lang("node-fetch", &HTTP_CLIENT, "2.6"),
    lang("qs", &OBJECT, "6.11"),
    lang("body-parser", &HTTP_SERVER, "1.20"),
    lang("path-to-regexp", &REGEX, "0.1"),
    lang("follow-redirects", &HTTP_CLIENT, "1.15"),
    lang("tough-cookie", &HTTP_CLIENT, "4.1"),
];

/// Maven packages.
pub(crate) const MAVEN: &[Package] = &[
    lang(
        "com.fasterxml.jackson.core:jackson-databind",
        &SERIALIZATION,
        "2.15",
    ),
    lang("org.apache.commons:commons-text", &TEMPLATE, "1.10"),
    lang("org.springframework:spring-web", &HTTP_SERVER, "6.0"),
    lang("org.yaml:snakeyaml", &YAML, "2.0"),
    lang("com.google.guava:guava", &OBJECT, "32.1"),
    lang(
        "org.apache.logging.log4j:log4j-core",
        &SERIALIZATION,
        "2.20",
    ),
];

/// Go modules.
pub(crate) const GO: &[Package] = &[
    lang("golang.org/x/net", &HTTP2, "0.17"),
    lang("golang.org/x/crypto", &SSH, "0.14"),
    lang("github.com/gin-gonic/gin", &HTTP_SERVER, "1.9"),
    lang("google.golang.org/grpc", &HTTP2, "1.58"),
];

/// The title templates, with `{package}`, `{flaw}`, `{place}`, `{impact}` and `{input}`.
pub const TITLE_TEMPLATES: &[&str] = &[
    "{package}: {flaw} in {place}",
    "{package}: {impact} via crafted {input}",
];

/// Sentences that end a description; none names the package.
const CONTEXT: &[&str] = &[
    "Services that accept such input from untrusted sources are most at risk.",
    "Exploitation requires no authentication and no user interaction.",
    "The default configuration is affected.",
    "Only configurations that enable this feature are affected.",
    "A local attacker can trigger the issue as well, with fewer preconditions.",
    "No exploit is known to be public at the time of writing.",
];

/// One advisory: what Trivy and FOSSA say about a vulnerable package.
pub(crate) struct Advisory {
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) cwe: u32,
}

/// An installed version of `package` and the version that fixes it, chosen by `rng`: of the
/// Debian shape (`3.0.13-1~deb12u2`) when `debian`, else `major.minor.patch`.
pub(crate) fn versions(rng: &mut Rng, package: &Package, debian: bool) -> (String, String) {
    if debian {
        let revision = rng.random_range(1..4);
        let update = rng.random_range(1..5);
        (
            format!("{}-{revision}~deb12u{update}", package.version),
            format!("{}-{revision}~deb12u{}", package.version, update + 1),
        )
    } else {
        let patch = rng.random_range(0..20);
        (
            format!("{}.{patch}", package.version),
            format!("{}.{}", package.version, patch + rng.random_range(1..4)),
        )
    }
}

/// An advisory about `package`, fixed in `fixed`, chosen by `rng`.
pub(crate) fn advisory(rng: &mut Rng, package: &Package, fixed: &str) -> Advisory {
    let area = package.area;
    let native = if package.native { NATIVE.len() } else { 0 };
    let k = index(rng, native + ANY.len() + area.flaws.len());
    let flaw = if k < native {
        NATIVE[k]
    } else if k < native + ANY.len() {
        ANY[k - native]
    } else {
        area.flaws[k - native - ANY.len()]
    };
    let (place, input) = area.places[index(rng, area.places.len())];
    let impact = pick(rng, flaw.impacts);
    let name = package.name;
    let template = TITLE_TEMPLATES[index(rng, TITLE_TEMPLATES.len())];
    let title = fill(template, name, flaw.name, place, impact, input);
    let description = format!(
        "{} {} flaw was found in {place} of {name}. {}. When {name} processes a crafted {input}, it {}. An attacker able to supply such input could use this for {impact}. {} Versions before {fixed} are affected.",
        capital(flaw.article),
        flaw.name,
        flaw.cause,
        flaw.effect,
        pick(rng, CONTEXT),
    );
    Advisory {
        title,
        description,
        cwe: flaw.cwe,
    }
}

fn fill(
    template: &str,
    package: &str,
    flaw: &str,
    place: &str,
    impact: &str,
    input: &str,
) -> String {
    template
        .replace("{package}", package)
        .replace("{flaw}", flaw)
        .replace("{place}", place)
        .replace("{impact}", impact)
        .replace("{input}", input)
}

/// Whether `title` is one of [`TITLE_TEMPLATES`] filled with parts of the bank that belong
/// together (the package's own places and inputs, a flaw its code can have, that flaw's impact).
pub fn is_advisory_title(title: &str) -> bool {
    [DEBIAN, PYTHON, NODE, MAVEN, GO]
        .iter()
        .flat_map(|packages| packages.iter())
        .any(|package| {
            let flaws = NATIVE
                .iter()
                .filter(|_| package.native)
                .chain(ANY)
                .chain(package.area.flaws);
            flaws.into_iter().any(|flaw| {
                package.area.places.iter().any(|(place, input)| {
                    flaw.impacts.iter().any(|impact| {
                        TITLE_TEMPLATES.iter().any(|template| {
                            fill(template, package.name, flaw.name, place, impact, input) == title
                        })
                    })
                })
            })
        })
}

/// `s` with its first letter in upper case.
fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
