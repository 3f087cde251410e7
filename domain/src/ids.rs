//! Typed ids: a project's id cannot be passed where a scan's is expected.
//!
//! Each is the database's row id (a 64-bit integer) and serializes as that bare number, so the
//! JSON the API and the CLI write is the same as with plain integers. Only the store makes them
//! from rows ([`ScanId::new`]); everything above only passes them on.

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// The id of the row the store read.
            pub const fn new(row_id: i64) -> $name {
                $name(row_id)
            }

            /// The row id, for the store's queries.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        /// For the store's row structs (`#[diesel(deserialize_as = i64)]`): a row id read
        /// from its own table's id column becomes its type once, where it is read.
        impl From<i64> for $name {
            fn from(row_id: i64) -> $name {
                $name(row_id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

typed_id!(
    /// A project (`projects.id`).
    ProjectId
);
typed_id!(
    /// A release of a project (`releases.id`).
    ReleaseId
);
typed_id!(
    /// One uploaded scan (`scans.id`).
    ScanId
);
typed_id!(
    /// A finding of a project, across its releases (`findings.id`).
    FindingId
);
typed_id!(
    /// A user who signs in (`users.id`).
    UserId
);
typed_id!(
    /// An API token (`api_tokens.id`), never its secret.
    TokenId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_serializes_as_its_bare_number() {
        assert_eq!(
            serde_json::to_string(&ScanId::new(42)).ok().as_deref(),
            Some("42")
        );
        let back: Result<FindingId, _> = serde_json::from_str("7");
        assert_eq!(back.ok(), Some(FindingId::new(7)));
    }
}
