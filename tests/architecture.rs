//! The layers' invariants, checked by reading the sources: `sim`, `scene` and `shell` never name
//! the browser crates, never read a clock and never draw unseeded randomness.

use std::path::Path;

const FORBIDDEN: &[&str] = &[
    "leptos",
    "web_sys",
    "wasm_bindgen",
    "js_sys",
    "gloo",
    "Instant::now",
    "SystemTime::now",
    "thread_rng",
    "rand::rng()",
    "getrandom",
    "HashMap",
    "HashSet",
];

fn scan(dir: &Path, hits: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("layer dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            scan(&path, hits);
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for f in FORBIDDEN {
                let word_hit = code.match_indices(f).any(|(at, _)| {
                    let before = code[..at].chars().next_back();
                    let after = code[at + f.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if word_hit {
                    hits.push(format!("{}:{}: {f}", path.display(), i + 1));
                }
            }
        }
    }
}

#[test]
fn core_layers_do_not_touch_the_browser_the_clock_or_unseeded_randomness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut hits = Vec::new();
    for layer in ["sim", "scene", "shell"] {
        scan(&root.join(layer), &mut hits);
    }
    assert!(
        hits.is_empty(),
        "forbidden names in pure layers:\n{}",
        hits.join("\n")
    );
}
