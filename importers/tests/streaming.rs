//! Streaming: an importer reads its input piece by piece, so what a file gives must not depend
//! on how the reads split it (a slow upload splits characters, tags and tokens anywhere).

use crate::corpus;
use std::io::Read;
use testdata::fuzz::Trickle;

fn outcome(input: impl Read) -> String {
    match importers::import_to_vec(input, None) {
        Ok((imported, findings)) => format!("{:?}\n{:?}", imported.info, findings),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn every_corpus_file_gives_the_same_read_whole_or_in_small_pieces() {
    let mut stack = vec![corpus::dir()];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            // Small files only: reading one byte at a time is slow.
            if bytes.len() > 256 * 1024 {
                continue;
            }
            let whole = outcome(&bytes[..]);
            for step in [1, 7] {
                let pieces = outcome(Trickle::new(&bytes, step));
                assert_eq!(
                    whole,
                    pieces,
                    "{} read {step} bytes at a time",
                    path.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} corpus files checked");
}

#[test]
fn a_broken_acunetix_xml_is_placed_by_line_and_column() {
    let xml = "<?xml version=\"1.0\"?>\n<ScanGroup>\n  <Scan>\n    <ReportItems>\n      <ReportItem><Name>x</Nme>\n";
    let err = importers::import_to_vec(xml.as_bytes(), None).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("acunetix-xml: "), "{text}");
    assert!(text.contains("line 5"), "{text}");
}

#[test]
fn a_tfsec_csv_cut_short_says_so_after_streaming_its_rows() {
    let csv = "file,start_line,end_line,rule_id,severity,description,link,passed\n\
               main.tf,1,2,aws-s3-enable-versioning,LOW,d,,false\n\
               main.tf,3,4,aws-s3-enable";
    let err = importers::import_to_vec(csv.as_bytes(), None).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("no line end (truncated file?)"), "{text}");
    assert!(text.contains("line 3"), "{text}");
}
