//! FOSSA locators (`npm+lodash$4.17.20`, `mvn+org.apache:commons$1.0`, `custom+1234/app$rev`)
//! and their mapping to Package URLs.
//!
//! Grammar (fossas/locator-rs, fossa-cli `parseLocator`): `fetcher "+" [orgId "/"] package
//! ["$" revision]`, split at the **first** `+` and the **first** `$`, no escaping. Packages may
//! hold `/`, `:`, `@`, `#`; revisions may hold `#`, `:`, `+`.
//!
//! The purl mapping is described in `docs/FORMATS.md` (FOSSA section). Fetchers without a purl type
//! (`custom`, `archive`, `url`, `user`, `upath`, `path`, `rpm`, `csbinary`, `cart`,
//! `stackoverflow`, ...) and locators whose package cannot be split without guessing (a Maven
//! package without `group:artifact`) give no purl: the raw locator stays the identity.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// A parsed locator, borrowing from the string it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locator<'a> {
    pub fetcher: &'a str,
    /// The FOSSA organization id in `custom+1234/app`, when the first path segment is all digits.
    pub org_id: Option<&'a str>,
    /// The package, without the organization id.
    pub package: &'a str,
    pub revision: Option<&'a str>,
}

impl<'a> Locator<'a> {
    /// Parses a locator; `None` when there is no `fetcher+package` (for example the CLI's
    /// placeholder `unknown project`).
    pub fn parse(text: &'a str) -> Option<Locator<'a>> {
        let text = text.trim();
        let (fetcher, rest) = text.split_once('+')?;
        if fetcher.is_empty()
            || !fetcher
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let (package, revision) = match rest.split_once('$') {
            Some((p, r)) => (p, (!r.is_empty()).then_some(r)),
            None => (rest, None),
        };
        if package.is_empty() {
            return None;
        }
        let (org_id, package) = match package.split_once('/') {
            Some((org, pkg))
                if !org.is_empty()
                    && !pkg.is_empty()
                    && org.bytes().all(|b| b.is_ascii_digit()) =>
            {
                (Some(org), pkg)
            }
            _ => (None, package),
        };
        Some(Locator {
            fetcher,
            org_id,
            package,
            revision,
        })
    }

    /// Whether the fetcher is one of FOSSA's private ones (no meaning outside FOSSA).
    pub fn is_private(&self) -> bool {
        matches!(
            self.fetcher,
            "custom" | "archive" | "user" | "upath" | "path" | "rpm" | "csbinary"
        )
    }

    /// The package name for display: the package, or for the Linux fetchers (`deb`, `apk`,
    /// `rpm-generic`: `name#os#osversion`) its first part.
    pub fn name(&self) -> &'a str {
        match self.fetcher {
            "deb" | "apk" | "rpm-generic" => first_part(self.package, '#'),
            _ => self.package,
        }
    }

    /// The version for display: the revision, or for the Linux fetchers (`arch#version`) the part
    /// after the architecture.
    pub fn version(&self) -> Option<&'a str> {
        let revision = self.revision?;
        match self.fetcher {
            "deb" | "apk" | "rpm-generic" => match revision.split_once('#') {
                Some((_, version)) if !version.is_empty() => Some(version),
                _ => Some(revision),
            },
            _ => Some(revision),
        }
    }

    /// The identity of the package across versions, for fingerprints: `fetcher+package` (with
    /// the organization id), and for the Linux fetchers `fetcher+name#os` (the OS version
    /// changes with every base-image upgrade and would split history).
    pub fn package_key(&self) -> String {
        let package = match self.fetcher {
            "deb" | "apk" | "rpm-generic" => {
                let mut parts = self.package.splitn(3, '#');
                let name = parts.next().unwrap_or_default();
                match parts.next() {
                    Some(os) => format!("{name}#{os}"),
                    None => name.to_string(),
                }
            }
            _ => self.package.to_string(),
        };
        match self.org_id {
            Some(org) => format!("{}+{org}/{package}", self.fetcher),
            None => format!("{}+{package}", self.fetcher),
        }
    }

    /// The Package URL, when the fetcher has a purl type and the package splits without
    /// guessing.
    pub fn purl(&self) -> Option<String> {
        if self.org_id.is_some() || self.is_private() {
            return None;
        }
        let pkg = self.package;
        let version = self.revision;
        match self.fetcher {
            "npm" => match pkg.strip_prefix('@') {
                Some(scoped) => {
                    let (scope, name) = scoped.split_once('/')?;
                    build("npm", &[&format!("@{scope}")], name, version, &[], None)
                }
                None => build("npm", &[], pkg, version, &[], None),
            },
            "pip" => build(
                "pypi",
                &[],
                &pkg.to_ascii_lowercase().replace('_', "-"),
                version,
                &[],
                None,
            ),
            "mvn" => {
                // `[repository:]group:artifact`: split on the last two colons.
                let (rest, artifact) = pkg.rsplit_once(':')?;
                let (repository, group) = match rest.rsplit_once(':') {
                    Some((repo, group)) => (Some(repo), group),
                    None => (None, rest),
                };
                let qualifiers: Vec<(&str, &str)> = repository
                    .filter(|r| !r.is_empty())
                    .map(|r| ("repository_url", r))
                    .into_iter()
                    .collect();
                build("maven", &[group], artifact, version, &qualifiers, None)
            }
            "go" => {
                let (namespace, name) = pkg.rsplit_once('/')?;
                let segments: Vec<&str> = namespace.split('/').collect();
                build("golang", &segments, name, version, &[], None)
            }
            "git" => git_purl(pkg, version),
            "gem" | "hex" | "hackage" | "cran" | "pub" | "conan" | "conda" | "nuget"
            | "sourceforge" | "bower" => build(self.fetcher, &[], pkg, version, &[], None),
            "cargo" => {
                if pkg.contains(['/', '#']) {
                    return None; // git-backed crate: no registry name to trust
                }
                build("cargo", &[], pkg, version, &[], None)
            }
            "comp" => {
                let (vendor, name) = pkg.split_once('/')?;
                build("composer", &[vendor], name, version, &[], None)
            }
            "pod" => {
                let (name, subpath) = match pkg.split_once('/') {
                    Some((n, s)) => (n, Some(s)),
                    None => (pkg, None),
                };
                build("cocoapods", &[], name, version, &[], subpath)
            }
            "swift" => {
                let (namespace, name) = pkg.rsplit_once('/')?;
                let segments: Vec<&str> = namespace.split('/').collect();
                build("swift", &segments, name, version, &[], None)
            }
            "cpan" => build("cpan", &[], &pkg.replace("::", "-"), version, &[], None),
            "deb" | "apk" | "rpm-generic" => self.linux_purl(),
            _ => None,
        }
    }

    /// `deb+name#os#osver$arch#version` and friends.
    fn linux_purl(&self) -> Option<String> {
        let mut parts = self.package.splitn(3, '#');
        let name = parts.next().filter(|s| !s.is_empty())?;
        let os = parts.next().filter(|s| !s.is_empty())?;
        let os_version = parts.next().filter(|s| !s.is_empty());
        let (arch, version) = match self.revision {
            Some(rev) => match rev.split_once('#') {
                Some((arch, version)) => (Some(arch).filter(|a| !a.is_empty()), Some(version)),
                None => (None, Some(rev)),
            },
            None => (None, None),
        };
        let version = version.filter(|v| !v.is_empty());
        let mut qualifiers: Vec<(&str, String)> = Vec::new();
        if let Some(arch) = arch {
            qualifiers.push(("arch", arch.to_string()));
        }
        let (ty, version, epoch) = match self.fetcher {
            "deb" => {
                if let Some(v) = os_version {
                    qualifiers.push(("distro", format!("{os}-{v}")));
                }
                ("deb", version, None)
            }
            "apk" => {
                if let Some(v) = os_version {
                    qualifiers.push(("distro", v.to_string()));
                }
                ("apk", version, None)
            }
            _ => {
                if let Some(v) = os_version {
                    qualifiers.push(("distro", format!("{os}-{v}")));
                }
                // `epoch:version`: the epoch is a qualifier in purl.
                match version.and_then(|v| v.split_once(':')) {
                    Some((epoch, v))
                        if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) =>
                    {
                        ("rpm", Some(v), Some(epoch))
                    }
                    _ => ("rpm", version, None),
                }
            }
        };
        if let Some(epoch) = epoch {
            qualifiers.push(("epoch", epoch.to_string()));
        }
        let borrowed: Vec<(&str, &str)> =
            qualifiers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        build(ty, &[os], name, version, &borrowed, None)
    }
}

fn first_part(s: &str, sep: char) -> &str {
    s.split(sep).next().unwrap_or(s)
}

/// `git+github.com/org/repo` (or a full URL) for the hosts that have a purl type.
fn git_purl(pkg: &str, version: Option<&str>) -> Option<String> {
    let without_scheme = pkg
        .strip_prefix("https://")
        .or_else(|| pkg.strip_prefix("http://"))
        .or_else(|| pkg.strip_prefix("git://"))
        .unwrap_or(pkg);
    let without_scheme = without_scheme
        .strip_prefix("www.")
        .unwrap_or(without_scheme);
    let path = without_scheme.trim_end_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (host, rest) = path.split_once('/')?;
    let ty = match host.to_ascii_lowercase().as_str() {
        "github.com" => "github",
        "gitlab.com" => "gitlab",
        "bitbucket.org" => "bitbucket",
        "gitee.com" => "gitee",
        _ => return None,
    };
    let (namespace, name) = rest.rsplit_once('/')?;
    if ty == "github" || ty == "bitbucket" {
        // Case-insensitive hosts: purl-spec asks for lower case.
        let namespace = namespace.to_ascii_lowercase();
        let segments: Vec<&str> = namespace.split('/').collect();
        return build(
            ty,
            &segments,
            &name.to_ascii_lowercase(),
            version,
            &[],
            None,
        );
    }
    let segments: Vec<&str> = namespace.split('/').collect();
    build(ty, &segments, name, version, &[], None)
}

/// Assembles `pkg:type/ns/.../name@version?k=v#subpath`, percent-encoding every part.
fn build(
    ty: &str,
    namespace: &[&str],
    name: &str,
    version: Option<&str>,
    qualifiers: &[(&str, &str)],
    subpath: Option<&str>,
) -> Option<String> {
    if name.is_empty() || namespace.iter().any(|s| s.is_empty()) {
        return None;
    }
    let mut out = format!("pkg:{ty}/");
    for segment in namespace {
        encode_into(&mut out, segment);
        out.push('/');
    }
    encode_into(&mut out, name);
    if let Some(v) = version.filter(|v| !v.is_empty()) {
        out.push('@');
        encode_into(&mut out, v);
    }
    let mut qualifiers: Vec<&(&str, &str)> =
        qualifiers.iter().filter(|(_, v)| !v.is_empty()).collect();
    qualifiers.sort_by(|a, b| a.0.cmp(b.0));
    for (i, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        encode_into(&mut out, value);
    }
    if let Some(sub) = subpath.filter(|s| !s.is_empty()) {
        out.push('#');
        let segments: Vec<&str> = sub.split('/').filter(|s| !s.is_empty()).collect();
        for (i, segment) in segments.iter().enumerate() {
            if i > 0 {
                out.push('/');
            }
            encode_into(&mut out, segment);
        }
    }
    Some(out)
}

/// What a purl part keeps as it is: ASCII letters, digits and `-._~` (RFC 3986's unreserved
/// set); everything else is percent-encoded.
const PURL_UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes everything but ASCII letters, digits and `-._~`.
fn encode_into(out: &mut String, s: &str) {
    out.extend(utf8_percent_encode(s, PURL_UNRESERVED));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(locator: &str) -> Locator<'_> {
        match Locator::parse(locator) {
            Some(l) => l,
            None => panic!("not a locator: {locator}"),
        }
    }

    fn purl(locator: &str) -> Option<String> {
        Locator::parse(locator).and_then(|l| l.purl())
    }

    #[test]
    fn grammar_splits_at_the_first_plus_and_dollar() {
        let l = parse("rpm-generic+curl#fedora#25$i386#1:7.50.3-1.fc25+x");
        assert_eq!(l.fetcher, "rpm-generic");
        assert_eq!(l.package, "curl#fedora#25");
        assert_eq!(l.revision, Some("i386#1:7.50.3-1.fc25+x"));
        let l = parse("npm+lodash");
        assert_eq!((l.package, l.revision), ("lodash", None));
        let l = parse("npm+lodash$");
        assert_eq!(l.revision, None);
        let l = parse("custom+1234/my-app$abc");
        assert_eq!((l.org_id, l.package), (Some("1234"), "my-app"));
        assert!(Locator::parse("unknown project").is_none());
        assert!(Locator::parse("npm+").is_none());
        assert!(Locator::parse("+x$1").is_none());
        assert!(Locator::parse("").is_none());
    }

    #[test]
    fn npm() {
        assert_eq!(
            purl("npm+lodash$4.17.20").as_deref(),
            Some("pkg:npm/lodash@4.17.20")
        );
        assert_eq!(
            purl("npm+@angular/animation$12.3.1").as_deref(),
            Some("pkg:npm/%40angular/animation@12.3.1")
        );
        assert_eq!(purl("npm+lodash").as_deref(), Some("pkg:npm/lodash"));
        assert_eq!(purl("npm+@broken"), None);
    }

    #[test]
    fn pip() {
        assert_eq!(
            purl("pip+django-allauth$12.23").as_deref(),
            Some("pkg:pypi/django-allauth@12.23")
        );
        assert_eq!(
            purl("pip+Django_Foo$1.0").as_deref(),
            Some("pkg:pypi/django-foo@1.0")
        );
    }

    #[test]
    fn maven() {
        assert_eq!(
            purl("mvn+org.apache.xmlgraphics:batik-anim$1.9.1").as_deref(),
            Some("pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1")
        );
        assert_eq!(
            purl("mvn+repo.spring.io/release:org.apache.xmlgraphics:batik-anim$1.9.1").as_deref(),
            Some(
                "pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1?repository_url=repo.spring.io%2Frelease"
            )
        );
        // No `group:artifact`: leave empty rather than guess.
        assert_eq!(purl("mvn+com.android$26.0.1"), None);
    }

    #[test]
    fn go_and_swift() {
        assert_eq!(
            purl("go+github.com/gorilla/context$234fd47e").as_deref(),
            Some("pkg:golang/github.com/gorilla/context@234fd47e")
        );
        assert_eq!(
            purl("go+github.com/x/y/v4$v4.2.1").as_deref(),
            Some("pkg:golang/github.com/x/y/v4@v4.2.1")
        );
        assert_eq!(purl("go+stdlib$1.21"), None);
        assert_eq!(
            purl("swift+github.com/Alamofire/Alamofire$5.4.3").as_deref(),
            Some("pkg:swift/github.com/Alamofire/Alamofire@5.4.3")
        );
    }

    #[test]
    fn git() {
        assert_eq!(
            purl("git+github.com/package-url/purl-spec$244fd47e").as_deref(),
            Some("pkg:github/package-url/purl-spec@244fd47e")
        );
        assert_eq!(
            purl("git+https://github.com/Org/Repo.git$v1").as_deref(),
            Some("pkg:github/org/repo@v1")
        );
        assert_eq!(
            purl("git+gitlab.com/NTPsec/ntpsec$1feb8f").as_deref(),
            Some("pkg:gitlab/NTPsec/ntpsec@1feb8f")
        );
        assert_eq!(
            purl("git+bitbucket.org/a/b$1").as_deref(),
            Some("pkg:bitbucket/a/b@1")
        );
        assert_eq!(purl("git+https://example.com/org/repo.git$1"), None);
    }

    #[test]
    fn simple_registries() {
        assert_eq!(
            purl("gem+ruby-advisory-db-check$0.12.4").as_deref(),
            Some("pkg:gem/ruby-advisory-db-check@0.12.4")
        );
        assert_eq!(
            purl("cargo+structopt$0.3.11").as_deref(),
            Some("pkg:cargo/structopt@0.3.11")
        );
        assert_eq!(purl("cargo+github.com/org/repo#crate$1"), None);
        assert_eq!(
            purl("nuget+EnterpriseLibrary.Common$6.0.1304").as_deref(),
            Some("pkg:nuget/EnterpriseLibrary.Common@6.0.1304")
        );
        assert_eq!(
            purl("hex+jason$1.1.2").as_deref(),
            Some("pkg:hex/jason@1.1.2")
        );
        assert_eq!(
            purl("hackage+aeson$2.0").as_deref(),
            Some("pkg:hackage/aeson@2.0")
        );
        assert_eq!(
            purl("cran+ggplot2$3.4.0").as_deref(),
            Some("pkg:cran/ggplot2@3.4.0")
        );
        assert_eq!(
            purl("pub+http$0.13.0").as_deref(),
            Some("pkg:pub/http@0.13.0")
        );
        assert_eq!(
            purl("conan+zlib$1.2.13").as_deref(),
            Some("pkg:conan/zlib@1.2.13")
        );
        assert_eq!(
            purl("sourceforge+dex-os$1.0").as_deref(),
            Some("pkg:sourceforge/dex-os@1.0")
        );
        assert_eq!(
            purl("cpan+Tk::Tree$0.02").as_deref(),
            Some("pkg:cpan/Tk-Tree@0.02")
        );
    }

    #[test]
    fn composer_and_cocoapods() {
        assert_eq!(
            purl("comp+laravel/laravel$5.5.0").as_deref(),
            Some("pkg:composer/laravel/laravel@5.5.0")
        );
        assert_eq!(purl("comp+nonamespace$1"), None);
        assert_eq!(
            purl("pod+ShareKit/Twitter$2.0").as_deref(),
            Some("pkg:cocoapods/ShareKit@2.0#Twitter")
        );
        assert_eq!(
            purl("pod+AFNetworking$4.0").as_deref(),
            Some("pkg:cocoapods/AFNetworking@4.0")
        );
    }

    #[test]
    fn linux_packages() {
        assert_eq!(
            purl("deb+adduser#ubuntu#20.04$amd64#3.118ubuntu2").as_deref(),
            Some("pkg:deb/ubuntu/adduser@3.118ubuntu2?arch=amd64&distro=ubuntu-20.04")
        );
        assert_eq!(
            purl("deb+libssl1.1#debian#11$amd64#1.1.1n-0+deb11u3").as_deref(),
            Some("pkg:deb/debian/libssl1.1@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11")
        );
        assert_eq!(
            purl("apk+alpine-keys#alpine#3.4.6$x86_64#1.1-r0").as_deref(),
            Some("pkg:apk/alpine/alpine-keys@1.1-r0?arch=x86_64&distro=3.4.6")
        );
        assert_eq!(
            purl("rpm-generic+curl#fedora#25$i386#1:7.50.3-1.fc25").as_deref(),
            Some("pkg:rpm/fedora/curl@7.50.3-1.fc25?arch=i386&distro=fedora-25&epoch=1")
        );
        let l = parse("deb+libssl1.1#debian#11$amd64#1.1.1n-0+deb11u3");
        assert_eq!(l.name(), "libssl1.1");
        assert_eq!(l.version(), Some("1.1.1n-0+deb11u3"));
        assert_eq!(l.package_key(), "deb+libssl1.1#debian");
        assert_eq!(purl("deb+nodistro$1"), None);
    }

    #[test]
    fn private_fetchers_keep_the_locator() {
        for locator in [
            "custom+1234/my-app$rev",
            "archive+5678/vendored-lib$1.0",
            "custom+project$1.0.0",
            "url+https://example.com/x.tgz$1.0",
            "user+1/x$1",
            "upath+1/x$1",
            "path+x$1",
            "rpm+x$1",
            "csbinary+x$1",
            "stackoverflow+48810170$1",
            "cart+github.com/org/repo$1.0",
            "maven+com.example:generic-widget$4.0.0",
        ] {
            assert_eq!(purl(locator), None, "{locator}");
        }
        let l = parse("custom+1234/my-app$rev");
        assert_eq!(l.package_key(), "custom+1234/my-app");
        assert_eq!(l.name(), "my-app");
    }

    #[test]
    fn package_key_ignores_the_version() {
        let a = parse("npm+lodash$4.17.15");
        let b = parse("npm+lodash$4.17.21");
        assert_eq!(a.package_key(), b.package_key());
        assert_eq!(a.package_key(), "npm+lodash");
    }
}
