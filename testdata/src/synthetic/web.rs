//! What the synthetic web scans (Burp, ZAP) crawl: one small shop's sections, pages and query
//! parameters, shared so their reports name the same site the same way.

pub(super) const SECTIONS: &[&str] = &[
    "account",
    "cart",
    "catalog",
    "search",
    "checkout",
    "admin",
    "api/v2/orders",
    "blog",
];
pub(super) const PAGES: &[&str] = &[
    "index", "view", "edit", "list", "details", "export", "login", "settings",
];
pub(super) const PARAMS: &[&str] = &[
    "id", "q", "page", "sort", "redirect", "file", "user", "lang",
];
