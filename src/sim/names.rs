//! Generated names and hashes: the apiserver's `generateName` suffix, the Deployment controller's
//! `pod-template-hash`, UIDs, and the kube-proxy chain-name hash.

use rand::Rng;
use serde_json::Value;

/// `k8s.io/apimachinery/pkg/util/rand` alphabet: no vowels, no ambiguous characters.
pub const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `rand.String(n)`.
pub fn random_string(rng: &mut impl Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    push_random(rng, &mut s, n);
    s
}

fn push_random(rng: &mut impl Rng, s: &mut String, n: usize) {
    s.extend((0..n).map(|_| ALPHANUMS[rng.random_range(0..ALPHANUMS.len())] as char));
}

/// `SimpleNameGenerator.GenerateName`: base cut to 58 characters, then 5 random characters.
pub fn generate_name(rng: &mut impl Rng, base: &str) -> String {
    let mut name = String::with_capacity(base.len().min(63) + 5);
    // (the first 58 characters, copied at once)
    let cut = base
        .char_indices()
        .nth(63 - 5)
        .map_or(base.len(), |(i, _)| i);
    name.push_str(&base[..cut]);
    push_random(rng, &mut name, 5);
    name
}

/// Lower-case hex digits (UIDs, container IDs, event names).
pub const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A version-4 UUID from the cluster's generator.
pub fn uid(rng: &mut impl Rng) -> String {
    let mut b = [0u8; 16];
    rng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    // 8-4-4-4-12 hex digits, written into a buffer (`format!`, or pushing characters one by
    // one, cost more than the rest of a controller's write)
    let mut h = [b'-'; 36];
    let mut at = 0;
    for (i, x) in b.into_iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            at += 1;
        }
        h[at] = HEX_DIGITS[(x >> 4) as usize];
        h[at + 1] = HEX_DIGITS[(x & 15) as usize];
        at += 2;
    }
    // (hex digits and dashes: always UTF-8)
    std::str::from_utf8(&h)
        .map(String::from)
        .unwrap_or_default()
}

/// A uid that is the same for the same `text` and draws nothing from the cluster's generator:
/// for records the lab keeps outside the store (events), whose uids no fixture may depend on.
pub fn uid_for(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in text.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    uid(&mut <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(h))
}

/// Appends `v` in lower-case hex without leading zeros (`{v:x}`).
pub fn push_hex(s: &mut String, v: u64) {
    let digits = (64 - v.leading_zeros()).div_ceil(4).max(1);
    for i in (0..digits).rev() {
        s.push(char::from(HEX_DIGITS[((v >> (i * 4)) & 15) as usize]));
    }
}

/// `SafeEncodeString`: each character of the decimal string mapped into the 27-letter alphabet.
pub fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|c| ALPHANUMS[c as usize % ALPHANUMS.len()] as char)
        .collect()
}

fn fnv32a(data: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in data {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `ComputeHash(template, collisionCount)`: FNV-32a of a stable rendering of the pod template
/// (upstream hashes Go's struct dump; the JSON with sorted keys is stable in the same way).
pub fn pod_template_hash(template: &Value, collision_count: Option<i32>) -> String {
    let mut bytes = serde_json::to_vec(template).unwrap_or_default();
    if let Some(c) = collision_count {
        bytes.extend_from_slice(&(c as u32).to_le_bytes());
        bytes.extend_from_slice(&[0, 0, 0, 0]);
    }
    safe_encode(&fnv32a(&bytes).to_string())
}

/// kube-proxy's chain suffix: base32(sha256(s))[:16].
pub fn chain_hash(s: &str) -> String {
    chain_name("", &[s]).to_string()
}

/// `prefix` followed by the hash of the concatenated `parts`, with one allocation (kube-proxy
/// names a chain per endpoint: 100,000 of them in a large cluster).
pub fn chain_name(prefix: &str, parts: &[&str]) -> std::sync::Arc<str> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    let digest = h.finalize();
    // 10 bytes are exactly the first 16 base32 characters
    let mut hash = [0u8; 16];
    data_encoding::BASE32.encode_mut(&digest[..10], &mut hash);
    // base32 digits are ASCII
    let hash = std::str::from_utf8(&hash).unwrap_or_default();
    // built on the stack so that the name costs one allocation (kube-proxy's prefixes are short)
    let mut buf = [0u8; 48];
    let n = prefix.len() + hash.len();
    if n > buf.len() {
        return std::sync::Arc::from(format!("{prefix}{hash}"));
    }
    buf[..prefix.len()].copy_from_slice(prefix.as_bytes());
    buf[prefix.len()..n].copy_from_slice(hash.as_bytes());
    std::sync::Arc::from(std::str::from_utf8(&buf[..n]).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_hex_writes_what_format_does() {
        for v in [0u64, 1, 9, 10, 15, 16, 255, 256, 0x1234_5678_9abc, u64::MAX] {
            let mut s = String::from("x.");
            push_hex(&mut s, v);
            assert_eq!(s, format!("x.{v:x}"));
        }
    }

    #[test]
    fn uids_are_version_4_uuids() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..50 {
            let u = uid(&mut rng);
            let groups: Vec<usize> = u.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{u}");
            assert!(u.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()), "{u}");
            assert_eq!(&u[14..15], "4", "{u}");
            assert!("89ab".contains(&u[19..20]), "{u}");
        }
    }

    #[test]
    fn chain_hash_matches_real_clusters() {
        assert_eq!(
            chain_hash("default/kubernetes:httpstcp"),
            "NPX46M4PTMTKRN6Y"
        );
        assert_eq!(
            chain_hash("kube-system/kube-dns:dnsudp"),
            "TCOU7JCQXEZGVUNU"
        );
        assert_eq!(
            chain_hash("default/kubernetes:httpstcp192.168.49.2:8443"),
            "VPILYQBSPPXYB66K"
        );
    }

    #[test]
    fn template_hash_uses_only_the_safe_digits() {
        let h = pod_template_hash(&serde_json::json!({"a": 1}), None);
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
    }
}
