//! Control mappings: stored in versions like policies, audit-logged, refused when invalid,
//! and the one active at a release's snapshot (with the users and tokens then) is what the
//! snapshot carries.

use crate::harness::{on_each_backend, request};
use schema::{GateOptions, Grant, Role, StoreError};

const OURS: &str = "name = \"ours\"\n[[criterion]]\nid = \"V-1\"\nframework = \"internal\"\ntitle = \"scanned\"\nevidence = [\"scans\"]\n";

fn trivy() -> Vec<u8> {
    br#"{"SchemaVersion":2,"ArtifactName":"shop:1.0","ArtifactType":"container_image","Results":[]}"#
        .to_vec()
}

#[test]
fn mappings_are_versioned_audited_and_refused_when_invalid() {
    on_each_backend(|t| {
        t.store
            .import_scan(&request("shop", "1.0"), &trivy())
            .unwrap();
        let builtin = t.store.controls("shop", None).unwrap();
        assert!(builtin.builtin);
        assert!(builtin.criteria.iter().any(|c| c == "CC7.1"));
        assert!(t.store.control_versions("shop").unwrap().is_empty());

        let err = t
            .store
            .set_controls("shop", "name = \"x\"\ncriterion = []\n", "admin", None)
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "controls",
                    ..
                }
            ),
            "{err}"
        );
        assert!(t.store.control_versions("shop").unwrap().is_empty());

        let v1 = t.store.set_controls("shop", OURS, "admin", None).unwrap();
        assert_eq!((v1.version, v1.unchanged, v1.builtin), (1, false, false));
        assert_eq!(v1.criteria, ["V-1"]);
        assert!(
            t.store
                .set_controls("shop", OURS, "admin", None)
                .unwrap()
                .unchanged
        );
        let v2 = t
            .store
            .set_controls("shop", &OURS.replace("V-1", "V-2"), "admin", Some("r2"))
            .unwrap();
        assert_eq!(v2.version, 2);
        assert_eq!(t.store.controls("shop", Some(1)).unwrap().criteria, ["V-1"]);
        assert_eq!(t.store.controls("shop", None).unwrap().criteria, ["V-2"]);
        assert!(matches!(
            t.store.controls("shop", Some(9)),
            Err(StoreError::NotFound { .. })
        ));
        let events = t
            .store
            .audit_list(&schema::AuditQuery {
                action: Some("controls.set".into()),
                ..Default::default()
            })
            .unwrap();
        let subjects: Vec<&str> = events.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(
            subjects,
            ["shop controls v1", "shop controls v2"],
            "{}",
            t.name
        );
        assert!(t.store.audit_verify().unwrap().ok);
    });
}

#[test]
fn a_snapshot_carries_the_active_mapping_and_who_can_act() {
    on_each_backend(|t| {
        t.store
            .import_scan(&request("shop", "1.0"), &trivy())
            .unwrap();
        let snap = t
            .store
            .release_snapshot("shop", "1.0", &GateOptions::default(), "t")
            .unwrap();
        assert!(snap.controls.is_none(), "the built-in mapping");
        let grant = |name, role, project| Grant {
            name,
            role,
            project,
            created_by: "test",
        };
        t.store
            .create_token(&grant("ci", Role::Uploader, Some("shop")), None)
            .unwrap();
        t.store
            .import_scan(&request("other", "1.0"), &trivy())
            .unwrap();
        t.store
            .create_token(&grant("elsewhere", Role::Uploader, Some("other")), None)
            .unwrap();
        t.store
            .create_user(&grant("alice", Role::Admin, None), "correct horse battery")
            .unwrap();
        t.store.set_controls("shop", OURS, "admin", None).unwrap();
        let snap = t
            .store
            .release_snapshot("shop", "1.0", &GateOptions::default(), "t")
            .unwrap();
        assert_eq!(snap.controls.as_ref().unwrap().version, "1");
        let access = snap.access.as_ref().unwrap();
        let users: Vec<(&str, &str)> = access
            .users
            .iter()
            .map(|u| (u.name.as_str(), u.role.as_str()))
            .collect();
        assert_eq!(users, [("alice", "admin")]);
        let tokens: Vec<&str> = access.tokens.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(tokens, ["ci"], "a token of another project is not listed");
        let report = reports::controls::controls_report(&snap).unwrap();
        assert_eq!(report.criteria[0].id, "V-1");
    });
}
