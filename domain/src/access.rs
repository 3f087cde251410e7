//! Roles and what they permit: the closed sets behind every authorization decision.

use serde::Serialize;

/// What a principal may do. Every role may read within its scope, except that only `admin`
/// manages users and tokens.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, PartialOrd, Ord,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including users and tokens.
    Admin,
    /// Upload scans (and read, so CI can gate on the result).
    Uploader,
    /// Change triage (and read).
    Triager,
    /// Read everything, change nothing; and, when of every project, check the audit chain.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Uploader, Role::Triager, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Uploader => "uploader",
            Role::Triager => "triager",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    /// Whether this role grants `permission` (the project scope is checked separately).
    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Public | Permission::Authenticated | Permission::Read => true,
            Permission::Upload => matches!(self, Role::Admin | Role::Uploader),
            Permission::Triage => matches!(self, Role::Admin | Role::Triager),
            Permission::Manage | Permission::Admin => self == Role::Admin,
            Permission::AuditChain | Permission::Audit => {
                matches!(self, Role::Admin | Role::Auditor)
            }
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// No credentials needed (probes, the OpenAPI document).
    Public,
    /// Any valid credentials (who am I).
    Authenticated,
    /// Read a project's data.
    Read,
    /// Upload scans to a project.
    Upload,
    /// Change triage in a project.
    Triage,
    /// Decide for a project as its admin: set its policy, seal its releases. Admins, each in
    /// their scope (an admin of one project manages that project).
    Manage,
    /// Manage users and tokens (admins of every project only).
    Admin,
    /// Check the audit log's hash chain. The chain is one over every project's events, so it
    /// is for admins and auditors of every project; it changes nothing.
    AuditChain,
    /// Examine a project's evidence as an auditor does: the auditor's page of a period and its
    /// recorded samples. Auditors and admins, each in their scope.
    Audit,
}
