//! IPv4 addresses and CIDRs as the lab uses them (single-stack IPv4, like minikube).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cidr {
    pub base: u32,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `10.96.0.0/12`, sloppily like `ParseCIDRSloppy` (leading zeros allowed).
    pub fn parse(s: &str) -> Option<Cidr> {
        let (ip, p) = s.trim().split_once('/')?;
        let prefix: u8 = p.parse().ok()?;
        if prefix > 32 {
            return None;
        }
        let ip = parse_ip(ip)?;
        let mask = mask(prefix);
        Some(Cidr {
            base: ip & mask,
            prefix,
        })
    }
    pub fn contains(&self, ip: u32) -> bool {
        ip & mask(self.prefix) == self.base
    }
    pub fn size(&self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }
    /// The `n`th address of the range (0 is the network address).
    pub fn nth(&self, n: u32) -> u32 {
        self.base.wrapping_add(n)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", ip_to_string(self.base), self.prefix)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix as u32)
    }
}

/// Parses a dotted quad, accepting leading zeros (`ParseIPSloppy`).
pub fn parse_ip(s: &str) -> Option<u32> {
    // byte by byte, without allocating: kube-proxy parses every endpoint's address
    let (mut out, mut parts, mut octet, mut digits) = (0u32, 0, 0u32, 0);
    for &b in s.as_bytes().iter().chain(std::iter::once(&b'.')) {
        if b == b'.' {
            if digits == 0 || octet > 255 || parts == 4 {
                return None;
            }
            out = (out << 8) | octet;
            parts += 1;
            (octet, digits) = (0, 0);
        } else if b.is_ascii_digit() && digits < 3 {
            octet = octet * 10 + u32::from(b - b'0');
            digits += 1;
        } else {
            return None;
        }
    }
    (parts == 4).then_some(out)
}

pub fn ip_to_string(ip: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        ip >> 24,
        (ip >> 16) & 0xff,
        (ip >> 8) & 0xff,
        ip & 0xff
    )
}

/// `IP:port` in one allocation, without the formatting machinery (kube-proxy keys and sorts
/// every endpoint by it: 100,000 in a large cluster).
pub fn ip_port_string(ip: u32, port: u16) -> String {
    let mut s = String::with_capacity(21);
    for shift in [24, 16, 8, 0] {
        if shift != 24 {
            s.push('.');
        }
        push_decimal(&mut s, (ip >> shift) & 0xff);
    }
    s.push(':');
    push_decimal(&mut s, port.into());
    s
}

fn push_decimal(s: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.extend(digits[i..].iter().map(|&d| d as char));
}

/// Is it a syntactically valid IP (v4, or v6 by a loose check) as `netutils.ParseIPSloppy` accepts?
pub fn is_ip(s: &str) -> bool {
    parse_ip(s).is_some() || s.parse::<std::net::Ipv6Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ip_takes_only_four_decimal_octets() {
        assert_eq!(parse_ip("192.168.49.2"), Some(0xc0a8_3102));
        assert_eq!(parse_ip("010.0.0.255"), Some(0x0a00_00ff));
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.256",
            "1..3.4",
            "1.2.3.4 ",
            "1.2.3.+4",
            "1.2.3.0004",
        ] {
            assert_eq!(parse_ip(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ip_port_string_writes_what_format_writes() {
        for (ip, port) in [
            (0u32, 0u16),
            (0xc0a8_3102, 8443),
            (u32::MAX, u16::MAX),
            (0x0a01_0009, 80),
        ] {
            assert_eq!(
                ip_port_string(ip, port),
                format!("{}:{port}", ip_to_string(ip))
            );
        }
    }
}
