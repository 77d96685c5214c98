//! Replays the committed corpus of every fuzz target (`fuzz/corpus/TARGET/*`), so an input that
//! once broke something, or that reaches deep into a reader, is tried on every `cargo test`.

use std::path::Path;

#[test]
fn every_target_runs_its_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (name, target) in zhaoyin_fuzz::TARGETS {
        let dir = root.join(name);
        let mut inputs: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("entry").path())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "{name} has a corpus");
        for path in inputs {
            let data = std::fs::read(&path).expect("read");
            let outcome = std::panic::catch_unwind(|| target(&data));
            assert!(outcome.is_ok(), "{name} panicked on {}", path.display());
        }
    }
}
