//! Diesel table definitions, in the portable subset of types both backends share
//! (`BigInt`, `Integer`, `SmallInt`, `Text`, `Binary`, `Bool`, `Double`, `Timestamp`).
//! The migrations in `migrations/{sqlite,postgres}` must match this file; the parity test
//! (`tests/parity.rs`, `parity::migrations_match_tables_rs`) applies both to empty databases
//! (PostgreSQL when `TEST_DATABASE_URL` is set) and compares every table and column, its type and
//! nullability, with the declarations here.

diesel::table! {
    projects (id) {
        id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    releases (id) {
        id -> BigInt,
        project_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        sealed_at -> Nullable<Timestamp>,
        sealed_by -> Nullable<Text>,
    }
}

diesel::table! {
    blobs (sha256) {
        sha256 -> Text,
        size -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    blob_chunks (sha256, seq) {
        sha256 -> Text,
        seq -> Integer,
        data -> Binary,
        encoding -> Text,
    }
}

diesel::table! {
    scans (id) {
        id -> BigInt,
        release_id -> BigInt,
        tool -> Text,
        format -> Text,
        label -> Text,
        target -> Nullable<Text>,
        tool_version -> Nullable<Text>,
        scanned_at -> Nullable<Text>,
        blob_sha256 -> Text,
        file_name -> Nullable<Text>,
        uploaded_at -> Timestamp,
        uploaded_by -> Text,
        finding_count -> BigInt,
        duplicates_merged -> BigInt,
        warnings -> Text,
        partial -> Bool,
        fingerprint_version -> SmallInt,
    }
}

diesel::table! {
    findings (id) {
        id -> BigInt,
        project_id -> BigInt,
        fingerprint -> Text,
        fingerprint_version -> SmallInt,
        tool -> Text,
        kind -> Text,
        category -> Nullable<Text>,
        rule_id -> Text,
        title -> Text,
        description -> Nullable<Text>,
        remediation -> Nullable<Text>,
        cwe -> Text,
        aliases -> Text,
        refs -> Text,
        component_name -> Nullable<Text>,
        component_purl -> Nullable<Text>,
        first_seen_scan_id -> BigInt,
        first_seen_at -> Timestamp,
        refined_from -> Nullable<BigInt>,
    }
}

diesel::table! {
    components (id) {
        id -> BigInt,
        project_id -> BigInt,
        purl -> Text,
        name -> Nullable<Text>,
        version -> Nullable<Text>,
    }
}

diesel::table! {
    occurrences (id) {
        id -> BigInt,
        scan_id -> BigInt,
        finding_id -> BigInt,
        component_id -> Nullable<BigInt>,
        severity -> SmallInt,
        severity_original -> Nullable<Text>,
        cvss -> Nullable<Text>,
        cvss_score -> Nullable<Double>,
        component_version -> Nullable<Text>,
        fixed_version -> Nullable<Text>,
        target -> Nullable<Text>,
        file -> Nullable<Text>,
        line_start -> Nullable<BigInt>,
        line_end -> Nullable<BigInt>,
        resource -> Nullable<Text>,
        url -> Nullable<Text>,
        parameter -> Nullable<Text>,
        layer -> Nullable<Text>,
        tool_status -> Nullable<Text>,
        title -> Nullable<Text>,
        epss -> Nullable<Double>,
        epss_percentile -> Nullable<Double>,
    }
}

diesel::table! {
    triage (finding_id) {
        finding_id -> BigInt,
        status -> Text,
        justification -> Nullable<Text>,
        approver -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        decided_by -> Text,
        decided_at -> Timestamp,
    }
}

diesel::table! {
    triage_events (id) {
        id -> BigInt,
        finding_id -> BigInt,
        previous_status -> Nullable<Text>,
        status -> Text,
        justification -> Nullable<Text>,
        approver -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        decided_by -> Text,
        decided_at -> Timestamp,
        source -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    policies (id) {
        id -> BigInt,
        project_id -> BigInt,
        version -> BigInt,
        source -> Text,
        sha256 -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    gate_evaluations (id) {
        id -> BigInt,
        release_id -> BigInt,
        policy_version -> Nullable<BigInt>,
        passed -> Bool,
        reason_refs -> Text,
        evaluated_by -> Text,
        evaluated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        at -> Timestamp,
        actor -> Text,
        action -> Text,
        project -> Nullable<Text>,
        subject -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        request_id -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    audit_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::joinable!(releases -> projects (project_id));
diesel::joinable!(scans -> releases (release_id));
diesel::joinable!(occurrences -> scans (scan_id));
diesel::joinable!(occurrences -> findings (finding_id));
diesel::joinable!(findings -> projects (project_id));
diesel::joinable!(triage -> findings (finding_id));
diesel::joinable!(triage_events -> findings (finding_id));
diesel::joinable!(policies -> projects (project_id));
diesel::joinable!(control_mappings -> projects (project_id));
diesel::joinable!(gate_evaluations -> releases (release_id));

diesel::allow_tables_to_appear_in_same_query!(
    projects,
    releases,
    blobs,
    blob_chunks,
    scans,
    findings,
    components,
    occurrences,
    triage,
    triage_events,
    policies,
    control_mappings,
    gate_evaluations,
    audit_events,
    audit_head,
    users,
    api_tokens,
    bundles,
    sessions,
    login_failures,
    address_failures,
    login_forms,
    oidc_logins,
    oidc_identities,
);

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        project_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        created_by -> Text,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        prefix -> Text,
        secret_sha256 -> Text,
        role -> Text,
        project_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        created_by -> Text,
        expires_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    bundles (release_id) {
        release_id -> BigInt,
        sha256 -> Text,
        size -> BigInt,
        sha256sums_sha256 -> Text,
        previous_sha256 -> Nullable<Text>,
        manifest -> Text,
        key_fingerprint -> Text,
        key_id -> Text,
        gate_passed -> Bool,
        /// The gate at sealing as JSON, without its reason lines since the bounded seal (the
        /// manifest has them); rows sealed before hold them too. Read from the manifest.
        gate -> Text,
        allow_blocked_reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(bundles -> releases (release_id));

// The web UI issue: sign-in sessions and login lockout.
diesel::table! {
    sessions (id_sha256) {
        id_sha256 -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (name) {
        name -> Text,
        failures -> BigInt,
        last_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> users (user_id));

// Hardening (issue 16): failed passwords per source address, sign-in form pre-sessions.
diesel::table! {
    address_failures (address) {
        address -> Text,
        failures -> BigInt,
        first_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    login_forms (id_sha256) {
        id_sha256 -> Text,
        csrf_token -> Text,
        expires_at -> Timestamp,
    }
}

// Control mappings (issue 21): versioned per project like policies.
diesel::table! {
    control_mappings (id) {
        id -> BigInt,
        project_id -> BigInt,
        version -> BigInt,
        source -> Text,
        sha256 -> Text,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

// Workload identity (issue 20): the CI job tokens already exchanged, while they could be
// accepted again.
diesel::table! {
    workload_exchanges (issuer, jti) {
        issuer -> Text,
        jti -> Text,
        keep_until -> Timestamp,
    }
}

// OIDC sign-in for the web UI (issue 20): sign-ins on their way through the provider, and the
// provider accounts of users.
diesel::table! {
    oidc_logins (id_sha256) {
        id_sha256 -> Text,
        state -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        next_path -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    oidc_identities (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        user_id -> BigInt,
    }
}

diesel::joinable!(oidc_identities -> users (user_id));
