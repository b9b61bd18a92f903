//! The apiserver's allocators: Service ClusterIPs (`ipallocator`) and NodePorts (`portallocator`).
//! Both prefer a random address above a static band kept for hand-picked values.

use crate::sim::net::{ip_to_string, Cidr};
use rand::Rng;
use std::collections::BTreeSet;

#[derive(Debug, Clone)]
pub struct IpAllocator {
    pub cidr: Cidr,
    used: BTreeSet<u32>,
}

impl IpAllocator {
    pub fn new(cidr: Cidr) -> Self {
        Self {
            cidr,
            used: BTreeSet::new(),
        }
    }
    /// Usable addresses: all but the network and broadcast addresses.
    fn size(&self) -> u64 {
        self.cidr.size().saturating_sub(2)
    }
    /// `calculateRangeOffset`: min(max(16, size/16), 256).
    fn offset(&self) -> u64 {
        (self.size() / 16).clamp(16, 256).min(self.size())
    }
    pub fn is_used(&self, ip: u32) -> bool {
        self.used.contains(&ip)
    }
    pub fn allocate(&mut self, ip: u32) -> Result<(), String> {
        let idx = ip.wrapping_sub(self.cidr.base) as u64;
        if !self.cidr.contains(ip) || idx == 0 || idx > self.size() {
            return Err(format!(
                "the provided IP ({}) is not in the valid range. The range of valid IPs is {}",
                ip_to_string(ip),
                self.cidr
            ));
        }
        if !self.used.insert(ip) {
            return Err("provided IP is already allocated".into());
        }
        Ok(())
    }
    pub fn allocate_next(&mut self, rng: &mut impl Rng) -> Result<u32, String> {
        let size = self.size();
        let offset = self.offset();
        // dynamic band first, then the static band
        for (lo, hi) in [(offset, size), (0, offset)] {
            if hi <= lo {
                continue;
            }
            let span = hi - lo;
            let start = rng.random_range(0..span);
            for i in 0..span {
                let idx = lo + (start + i) % span;
                let ip = self.cidr.nth(idx as u32 + 1);
                if !self.used.contains(&ip) {
                    self.used.insert(ip);
                    return Ok(ip);
                }
            }
        }
        Err("range is full".into())
    }
    pub fn release(&mut self, ip: u32) {
        self.used.remove(&ip);
    }
}

#[derive(Debug, Clone)]
pub struct PortAllocator {
    pub base: u16,
    pub size: u16,
    used: BTreeSet<u16>,
}

impl PortAllocator {
    pub fn new(base: u16, size: u16) -> Self {
        Self {
            base,
            size,
            used: BTreeSet::new(),
        }
    }
    pub fn range_string(&self) -> String {
        format!("{}-{}", self.base, self.base as u32 + self.size as u32 - 1)
    }
    fn offset(&self) -> u16 {
        (self.size / 32).clamp(16, 128).min(self.size)
    }
    pub fn is_used(&self, p: u16) -> bool {
        self.used.contains(&p)
    }
    pub fn allocate(&mut self, port: i32) -> Result<(), String> {
        let lo = self.base as i32;
        let hi = lo + self.size as i32 - 1;
        if port < lo || port > hi {
            return Err(format!(
                "provided port is not in the valid range. The range of valid ports is {}",
                self.range_string()
            ));
        }
        if !self.used.insert(port as u16) {
            return Err("provided port is already allocated".into());
        }
        Ok(())
    }
    pub fn allocate_next(&mut self, rng: &mut impl Rng) -> Result<u16, String> {
        let offset = self.offset();
        for (lo, hi) in [(offset, self.size), (0, offset)] {
            if hi <= lo {
                continue;
            }
            let span = hi - lo;
            let start = rng.random_range(0..span);
            for i in 0..span {
                let p = self.base + lo + (start + i) % span;
                if !self.used.contains(&p) {
                    self.used.insert(p);
                    return Ok(p);
                }
            }
        }
        Err("range is full".into())
    }
    pub fn release(&mut self, p: u16) {
        self.used.remove(&p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn random_cluster_ips_avoid_the_static_band() {
        let mut a = IpAllocator::new(Cidr::parse("10.96.0.0/12").unwrap());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for _ in 0..200 {
            let ip = a.allocate_next(&mut rng).unwrap();
            assert!(ip > a.cidr.nth(256), "{}", ip_to_string(ip));
        }
    }

    #[test]
    fn node_port_errors_are_upstream_text() {
        let mut p = PortAllocator::new(30000, 2768);
        assert_eq!(
            p.allocate(29000).unwrap_err(),
            "provided port is not in the valid range. The range of valid ports is 30000-32767"
        );
        p.allocate(30080).unwrap();
        assert_eq!(
            p.allocate(30080).unwrap_err(),
            "provided port is already allocated"
        );
    }

    #[test]
    fn random_node_ports_prefer_the_upper_band() {
        let mut p = PortAllocator::new(30000, 2768);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..100 {
            assert!(p.allocate_next(&mut rng).unwrap() >= 30086);
        }
    }
}
