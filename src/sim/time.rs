//! Simulated time. The core never reads a clock: time is a number of milliseconds since the
//! moment the simulated cluster was created, advanced only by the caller (`sleep`, the frame loop).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::chrono::{DateTime, TimeZone, Utc};

/// Milliseconds since the cluster was created (`minikube start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub u64);

/// The wall-clock instant of `SimTime(0)`: a fixed date, so that timestamps are reproducible.
pub const EPOCH_SECONDS: i64 = 1_764_064_800; // 2025-11-25T10:00:00Z

impl SimTime {
    pub fn from_secs(s: u64) -> SimTime {
        SimTime(s.saturating_mul(1000))
    }
    pub fn plus_secs(self, s: u64) -> SimTime {
        SimTime(self.0.saturating_add(s.saturating_mul(1000)))
    }
    pub fn to_datetime(self) -> DateTime<Utc> {
        // Whole seconds only: metav1.Time is serialised with second precision.
        let secs = EPOCH_SECONDS.saturating_add((self.0 / 1000).min(i64::MAX as u64 / 2) as i64);
        Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
    }
    /// The instant as metav1.Time prints it (RFC 3339, whole seconds, `Z`).
    pub fn rfc3339(self) -> String {
        self.to_datetime()
            .to_rfc3339_opts(k8s_openapi::chrono::SecondsFormat::Secs, true)
    }
    pub fn to_time(self) -> Time {
        Time(self.to_datetime())
    }
    pub fn from_time(t: &Time) -> SimTime {
        let secs = t.0.timestamp() - EPOCH_SECONDS;
        SimTime((secs.max(0) as u64) * 1000)
    }
    /// Signed seconds from `earlier` to `self` (negative when `earlier` lies in the future).
    pub fn secs_since_time(self, earlier: &Time) -> i64 {
        let now = (EPOCH_SECONDS * 1000).saturating_add(self.0.min(i64::MAX as u64 / 2) as i64);
        let then = earlier.0.timestamp_millis();
        now.saturating_sub(then).div_euclid(1000)
    }
}

/// `HumanDuration` of k8s.io/apimachinery/pkg/util/duration, from whole seconds.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    let s = seconds;
    if s < 60 * 2 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        let rs = s % 60;
        return if rs == 0 {
            format!("{m}m")
        } else {
            format!("{m}m{rs}s")
        };
    }
    if m < 60 * 3 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 8 {
        let rm = m % 60;
        return if rm == 0 {
            format!("{h}h")
        } else {
            format!("{h}h{rm}m")
        };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 24 * 8 {
        let rh = h % 24;
        return if rh == 0 {
            format!("{}d", h / 24)
        } else {
            format!("{}d{}h", h / 24, rh)
        };
    }
    if h < 24 * 365 * 2 {
        return format!("{}d", h / 24);
    }
    if h < 24 * 365 * 8 {
        let days = h / 24;
        let y = days / 365;
        let rd = days % 365;
        return if rd == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{rd}d")
        };
    }
    format!("{}y", h / 24 / 365)
}

/// RFC 1123 with numeric zone, as `kubectl describe` prints times (`Mon, 02 Jan 2006 15:04:05 -0700`).
pub fn rfc1123z(t: &Time) -> String {
    t.0.format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn human_duration_matches_upstream_boundaries() {
        let cases = [
            (-2, "<invalid>"),
            (-1, "0s"),
            (0, "0s"),
            (119, "119s"),
            (120, "2m"),
            (121, "2m1s"),
            (599, "9m59s"),
            (600, "10m"),
            (179 * 60, "179m"),
            (3 * 3600, "3h"),
            (7 * 3600 + 59 * 60, "7h59m"),
            (8 * 3600, "8h"),
            (47 * 3600, "47h"),
            (48 * 3600, "2d"),
            (7 * 86400 + 23 * 3600, "7d23h"),
            (8 * 86400, "8d"),
            (729 * 86400, "729d"),
            (730 * 86400, "2y"),
            ((7 * 365 + 364) * 86400, "7y364d"),
            (8 * 365 * 86400, "8y"),
        ];
        for (s, want) in cases {
            assert_eq!(human_duration(s), want, "{s} seconds");
        }
    }
}
