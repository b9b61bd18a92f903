//! Manifests as kubectl's resource builder reads them (documents in order; a YAML syntax error
//! ends that file; `kind: List` expands to its items), with the documents of the latest texts
//! kept parsed and decoded. The lab's editor applies its whole text a moment after every
//! change: a document whose text did not change is not parsed again, so an edit costs what
//! the edited documents cost, not what the whole manifest does.

use crate::sim::object::{decode, DecodeError, Object};
use crate::sim::yaml::{self, YamlError};
use rustc_hash::FxHashMap;
use serde_json::Value;
use std::sync::Arc;

/// One object of a manifest: the JSON the user wrote and what it decodes to.
#[derive(Debug)]
pub struct Item {
    pub value: Arc<Value>,
    pub object: Result<Object, DecodeError>,
}

/// An object read from a manifest file, with the file it came from.
pub struct Manifest {
    pub source: String,
    pub item: Arc<Item>,
}

impl std::ops::Deref for Manifest {
    type Target = Item;
    fn deref(&self) -> &Item {
        &self.item
    }
}

/// A document: its objects, or the YAML error that ends its file.
type Document = Result<Vec<Arc<Item>>, YamlError>;

/// The parsed documents of the texts read by the last two reads, by their text.
#[derive(Default)]
pub struct DocumentCache {
    docs: FxHashMap<String, (u64, Arc<Document>)>,
    read: u64,
}

impl DocumentCache {
    fn document(&mut self, text: &str) -> Arc<Document> {
        let read = self.read;
        if let Some((used, doc)) = self.docs.get_mut(text) {
            *used = read;
            return Arc::clone(doc);
        }
        let doc = Arc::new(parse(text));
        self.docs.insert(text.to_string(), (read, Arc::clone(&doc)));
        doc
    }

    /// Ends a read (of one command's files): documents that neither this read nor the one
    /// before used are forgotten.
    pub fn end_read(&mut self) {
        let read = self.read;
        self.docs.retain(|_, (used, _)| *used + 1 >= read);
        self.read += 1;
    }
}

fn parse(text: &str) -> Document {
    let v = yaml::parse_document(text)?;
    if v.is_null() {
        return Ok(Vec::new());
    }
    let items = if v.get("kind").and_then(Value::as_str) == Some("List") {
        v.get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    } else {
        vec![v]
    };
    Ok(items
        .into_iter()
        .map(|value| {
            Arc::new(Item {
                object: decode(&value),
                value: Arc::new(value),
            })
        })
        .collect())
}

/// The objects of one file's text, or the errors kubectl prints for it (`error parsing`).
pub fn read(
    cache: &mut DocumentCache,
    source: &str,
    text: &str,
    errs: &mut Vec<String>,
) -> Vec<Manifest> {
    let mut out = Vec::new();
    let docs = match yaml::split_documents(text) {
        Ok(d) => d,
        Err((_, msg)) => {
            errs.push(format!("error: error parsing {source}: {msg}"));
            return out;
        }
    };
    for d in docs {
        match &*cache.document(&d.text) {
            Ok(items) => out.extend(items.iter().map(|item| Manifest {
                source: source.to_string(),
                item: Arc::clone(item),
            })),
            Err(e) => {
                errs.push(format!(
                    "error: error parsing {source}: error converting YAML to JSON: {}",
                    e.go_message()
                ));
                break;
            }
        }
    }
    out
}
